import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { renderPrometheus, type TelemetryMetrics } from "./TelemetryMetrics.js";

/** Serves `GET /metrics` in Prometheus's text format; nothing else. */
export class MetricsServer {
  private constructor(private readonly server: Server) {}

  /** Listens on `host:port` (port 0 picks one); loopback unless told otherwise. */
  static async start(
    snapshot: () => TelemetryMetrics,
    port: number,
    host = "127.0.0.1",
  ): Promise<MetricsServer> {
    const server = createServer((req, res) => {
      if (req.method !== "GET" || req.url?.split("?")[0] !== "/metrics") {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
      res.end(renderPrometheus(snapshot()));
    });
    server.listen(port, host);
    await once(server, "listening");
    return new MetricsServer(server);
  }

  get url(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `http://${address.includes(":") ? `[${address}]` : address}:${port}/metrics`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, "close");
  }
}
