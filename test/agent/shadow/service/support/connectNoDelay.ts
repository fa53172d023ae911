import type { Socket } from "node:net";
import { connectAsync } from "mqtt";
import type { MqttClient } from "mqtt";

/**
 * Connects with TCP_NODELAY, set again on every reconnect. mqtt.js leaves Nagle on; with it a
 * request and its answer wait out delayed ACKs, about 45 ms per round trip on loopback.
 */
export async function connectNoDelay(url: string): Promise<MqttClient> {
  const client = await connectAsync(url, { reconnectPeriod: 0 });
  const setNoDelay = () => (client.stream as Partial<Socket>).setNoDelay?.(true);
  setNoDelay();
  client.on("connect", setNoDelay);
  return client;
}
