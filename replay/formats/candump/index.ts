export { CandumpReader, openCandump, type CandumpReaderOptions } from "./CandumpReader.js";
export { CandumpWriter, type CandumpWriterOptions } from "./CandumpWriter.js";
export { formatCandumpFrame, formatCandumpLine, formatCandumpTime } from "./formatCandumpLine.js";
export { looksLikeCandump } from "./looksLikeCandump.js";
export { CandumpLineParser, parseCandumpLine, type CandumpLine } from "./parseCandumpLine.js";
export { gunzipChunks, isGzip } from "./gunzipChunks.js";
