export type { AscEvent } from "./AscEvent.js";
export { applyAscHeaderLine, emptyAscHeader, type AscHeader } from "./AscHeader.js";
export { AscLineParser } from "./AscLineParser.js";
export { AscReader, openAsc, type AscReaderOptions } from "./AscReader.js";
export { looksLikeAsc } from "./looksLikeAsc.js";
export { parseAscDate } from "./parseAscDate.js";
