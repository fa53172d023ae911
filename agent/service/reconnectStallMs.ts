import type { ReconnectConfig } from "../../config/AgentConfig.js";

/**
 * Covers the slowest attempt that still ends: a TCP connect into a dead network times out after
 * 10 s (mqtt.js's connectTimeout), a TLS handshake to IoT Core takes a few seconds more.
 */
const ATTEMPT_MARGIN_MS = 30_000;

/**
 * How long a healthy reconnect loop can go between two attempts' ends: twice the largest backoff
 * delay (jitter never exceeds it) plus one slow attempt. Quieter than that, the loop is stuck.
 */
export function reconnectStallMs(reconnect: ReconnectConfig): number {
  return 2 * reconnect.maxDelayMs + ATTEMPT_MARGIN_MS;
}
