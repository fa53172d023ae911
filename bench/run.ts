/**
 * The benchmark runner: `node dist/bench/run.js [name...]` runs the named benches, or all of
 * them. Benches print figures beside their goals; they never pass or fail.
 */
/** A bench module exports `main(args)`, which prints its figures (sync or async). */
interface BenchModule {
  main(args: readonly string[]): unknown;
}

/** Every bench by name. A new bench adds one line here. */
const benches: Record<string, () => Promise<BenchModule>> = {
  "dbc-decode": () => import("./dbcDecode.js"),
  "mdf4-read": () => import("./mdf4Read.js"),
  pacing: () => import("./pacing.js"),
  "s3-replay": () => import("./s3Replay.js"),
  "s3-throughput": () => import("./s3Throughput.js"),
  "shadow-round-trip": () => import("./shadowRoundTrip.js"),
  "telemetry-filter": () => import("./telemetryFilter.js"),
  "telemetry-agent": () => import("./telemetryAgent.js"),
};

async function main(argv: readonly string[]): Promise<number> {
  const names = argv.filter((a) => !a.startsWith("-"));
  const options = argv.filter((a) => a.startsWith("-"));
  const unknown = names.filter((n) => !(n in benches));
  if (unknown.length > 0) {
    const known = Object.keys(benches).join(", ");
    process.stderr.write(`unknown bench ${unknown.join(", ")}; known: ${known}\n`);
    return 2;
  }
  for (const name of names.length > 0 ? names : Object.keys(benches)) {
    const load = benches[name];
    if (load) await (await load()).main(options);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
