import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { createWebSocketStream, WebSocketServer } from "ws";
import { MAX_PACKET_BYTES } from "./MqttPacketLimit.js";

/**
 * The largest WebSocket message taken. A message may hold several MQTT packets (§6), so it is
 * not held to one packet; but the broker's packet limit only sees a message once the WebSocket
 * layer has it whole, so without this bound a client could have up to ws's default of 100 MiB
 * buffered (or hold a connection open announcing it). Larger messages close the connection at
 * their frame header (close code 1009).
 */
export const MAX_MESSAGE_BYTES = 4 * MAX_PACKET_BYTES;

export interface MqttOverWebSocketOptions {
  /** The HTTP path the WebSocket upgrade is accepted on, `/mqtt` by convention. */
  readonly path: string;
  /** Hands each connection's byte stream to the broker. */
  readonly handle: (stream: Duplex) => void;
  /** Refuses an upgrade (403) a browser on another site asked for. */
  readonly allow?: (request: IncomingMessage) => boolean;
}

/** The listener's handle: `close()` ends every WebSocket and stops accepting upgrades. */
export interface MqttWebSocketListener {
  readonly clients: number;
  close(): Promise<void>;
}

/**
 * MQTT over WebSockets (MQTT 3.1.1 §6, subprotocol `mqtt`) on an existing HTTP server: each
 * upgrade on `path` becomes a byte stream for the broker, so that a page can speak MQTT on the
 * port it was served from.
 */
export function mqttOverWebSocket(
  server: Server,
  options: MqttOverWebSocketOptions,
): MqttWebSocketListener {
  // The spec names the subprotocol `mqtt`; old clients still offer `mqttv3.1`.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (offered) => offered.has("mqtt") ? "mqtt" : (offered.values().next().value
      ?? false),
  });
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (pathOf(request) !== options.path) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      return;
    }
    if (options.allow !== undefined && !options.allow(request)) {
      socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n");
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      options.handle(createWebSocketStream(ws));
    });
  };
  server.on("upgrade", onUpgrade);
  return {
    get clients() {
      return wss.clients.size;
    },
    close: () => {
      server.off("upgrade", onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      return new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function pathOf(request: IncomingMessage): string {
  return new URL(request.url ?? "/", "http://localhost").pathname;
}
