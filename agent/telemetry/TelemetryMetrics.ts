/** Counters of one bus. */
export interface BusMetrics {
  framesReceived: number;
  framesDecoded: number;
  unknownIds: number;
}

/** Counters of one stream, over all buses. */
export interface StreamMetrics {
  framesFiltered: number;
  samplesFiltered: number;
  records: number;
  outOfRange: number;
  batchesSpooled: number;
  bytesSpooled: number;
  batchesSent: number;
  bytesSent: number;
  batchesDropped: number;
  bytesDropped: number;
  sendFailures: number;
}

/** What `TelemetryPipeline.metrics()` returns and `/metrics` renders. */
export interface TelemetryMetrics {
  buses: Record<string, BusMetrics>;
  streams: Record<string, StreamMetrics>;
  spool: { bytes: number; batches: number };
  sinks: Record<string, { connected: boolean }>;
}

export function emptyStreamMetrics(): StreamMetrics {
  return {
    framesFiltered: 0, samplesFiltered: 0, records: 0, outOfRange: 0, batchesSpooled: 0,
    bytesSpooled: 0, batchesSent: 0, bytesSent: 0, batchesDropped: 0, bytesDropped: 0,
    sendFailures: 0,
  };
}

const BUS_COUNTERS: [keyof BusMetrics, string, string][] = [
  ["framesReceived", "roadrig_telemetry_frames_received_total", "Frames received on the bus."],
  ["framesDecoded", "roadrig_telemetry_frames_decoded_total", "Frames the DBC decoded."],
  ["unknownIds", "roadrig_telemetry_unknown_ids_total", "Frames with an ID the DBC lacks."],
];

const STREAM_COUNTERS: [keyof StreamMetrics, string, string][] = [
  ["framesFiltered", "roadrig_telemetry_frames_filtered_total", "Frames the stream's ID rules rejected."],
  ["samplesFiltered", "roadrig_telemetry_samples_filtered_total", "Signal samples the stream did not keep."],
  ["records", "roadrig_telemetry_records_total", "Records the stream produced."],
  ["outOfRange", "roadrig_telemetry_out_of_range_total", "Samples outside the DBC's range."],
  ["batchesSpooled", "roadrig_telemetry_batches_spooled_total", "Batches written to the spool."],
  ["bytesSpooled", "roadrig_telemetry_bytes_spooled_total", "Payload bytes written to the spool."],
  ["batchesSent", "roadrig_telemetry_batches_sent_total", "Batches the sink acknowledged."],
  ["bytesSent", "roadrig_telemetry_bytes_sent_total", "Payload bytes the sink acknowledged."],
  ["batchesDropped", "roadrig_telemetry_batches_dropped_total", "Batches evicted or refused by the full spool."],
  ["bytesDropped", "roadrig_telemetry_bytes_dropped_total", "Payload bytes evicted or refused."],
  ["sendFailures", "roadrig_telemetry_send_failures_total", "Sends the sink refused or lost."],
];

/** The Prometheus text exposition format (version 0.0.4). */
export function renderPrometheus(m: TelemetryMetrics): string {
  const lines: string[] = [];
  const family = (name: string, help: string, type: "counter" | "gauge") =>
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  for (const [key, name, help] of BUS_COUNTERS) {
    family(name, help, "counter");
    for (const [bus, c] of Object.entries(m.buses)) lines.push(`${name}{bus="${label(bus)}"} ${c[key]}`);
  }
  for (const [key, name, help] of STREAM_COUNTERS) {
    family(name, help, "counter");
    for (const [s, c] of Object.entries(m.streams)) lines.push(`${name}{stream="${label(s)}"} ${c[key]}`);
  }
  family("roadrig_telemetry_spool_bytes", "Payload bytes waiting in the spool.", "gauge");
  lines.push(`roadrig_telemetry_spool_bytes ${m.spool.bytes}`);
  family("roadrig_telemetry_spool_batches", "Batches waiting in the spool.", "gauge");
  lines.push(`roadrig_telemetry_spool_batches ${m.spool.batches}`);
  family("roadrig_telemetry_sink_connected", "1 while the sink is connected.", "gauge");
  for (const [s, c] of Object.entries(m.sinks)) {
    lines.push(`roadrig_telemetry_sink_connected{sink="${label(s)}"} ${c.connected ? 1 : 0}`);
  }
  return `${lines.join("\n")}\n`;
}

function label(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
