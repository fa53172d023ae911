import type { AgentParts } from "../createAgent.js";
import type { TelemetryMetrics } from "../telemetry/TelemetryMetrics.js";
import { renderPrometheus } from "../telemetry/TelemetryMetrics.js";
import type { EventLoopLag } from "./EventLoopLag.js";

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge";
  readonly samples: [labels: string, value: number][];
}

/**
 * The agent's own Prometheus metrics (shadow sync, MQTT link, body, process), counted from the
 * events its parts emit, followed by the telemetry pipeline's when it has one.
 */
export class AgentMetrics {
  #syncs = 0;
  readonly #outcomes = new Map<string, number>();
  readonly #failures = new Map<string, number>();
  #refused = 0;
  #stale = 0;
  #connects = 0;
  #disconnects = 0;
  readonly #started = process.hrtime.bigint();

  constructor(
    private readonly parts: AgentParts,
    private readonly lag: EventLoopLag,
    private readonly telemetry?: () => TelemetryMetrics,
  ) {
    parts.sync.on("synced", () => this.#syncs++);
    parts.sync.on("outcome", (o) => bump(this.#outcomes, o.ok ? "ok" : o.code));
    parts.sync.on("failed", (_error, during) => bump(this.#failures, during));
    parts.sync.on("refused", () => this.#refused++);
    parts.sync.on("stale", () => this.#stale++);
    parts.link.on("connect", () => this.#connects++);
    parts.link.on("disconnect", () => this.#disconnects++);
  }

  render(): string {
    const text = this.#families().flatMap((f) => [
      `# HELP ${f.name} ${f.help}`,
      `# TYPE ${f.name} ${f.type}`,
      ...f.samples.map(([labels, value]) => `${f.name}${labels} ${value}`),
    ]).join("\n") + "\n";
    return this.telemetry === undefined ? text : text + renderPrometheus(this.telemetry());
  }

  #families(): Family[] {
    const memory = process.memoryUsage();
    const uptime = Number(process.hrtime.bigint() - this.#started) / 1e9;
    const one = (value: number): [string, number][] => [["", value]];
    return [
      counter("roadrig_shadow_syncs_total", "Shadow reads after a connection.", one(this.#syncs)),
      counter("roadrig_shadow_outcomes_total", "Desired values acted on, by outcome.",
        labelled("outcome", this.#outcomes)),
      counter("roadrig_shadow_failures_total", "Shadow requests that failed, by step.",
        labelled("during", this.#failures)),
      counter("roadrig_shadow_refused_total", "Shadow messages refused unread.", one(this.#refused)),
      counter("roadrig_shadow_stale_total", "Stale or duplicate deltas ignored.", one(this.#stale)),
      gauge("roadrig_mqtt_connected", "1 while the broker connection is up.",
        one(this.parts.link.connected ? 1 : 0)),
      counter("roadrig_mqtt_connects_total", "Broker connections made.", one(this.#connects)),
      counter("roadrig_mqtt_disconnects_total", "Broker connections lost.", one(this.#disconnects)),
      gauge("roadrig_body_commands_waiting", "Body commands waiting for the ECU's confirmation.",
        one(this.parts.body.waiting)),
      gauge("roadrig_event_loop_lag_seconds", "How late the event loop last ran a timer.",
        one(this.lag.lagMs / 1000)),
      gauge("roadrig_process_uptime_seconds", "Time since the agent started.", one(uptime)),
      gauge("roadrig_process_resident_memory_bytes", "Resident set size.", one(memory.rss)),
      gauge("roadrig_process_heap_used_bytes", "V8 heap in use.", one(memory.heapUsed)),
    ];
  }
}

function counter(name: string, help: string, samples: [string, number][]): Family {
  return { name, help, type: "counter", samples };
}

function gauge(name: string, help: string, samples: [string, number][]): Family {
  return { name, help, type: "gauge", samples };
}

function labelled(label: string, counts: Map<string, number>): [string, number][] {
  return [...counts].map(([value, n]) => [`{${label}="${escapeLabel(value)}"}`, n]);
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
