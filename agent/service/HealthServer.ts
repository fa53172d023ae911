import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { HealthVerdict } from "./HealthVerdict.js";

export interface HealthRoutes {
  /** `/healthz`: the process is alive and its event loop keeps up. */
  live(): HealthVerdict;
  /** `/readyz`: connected, buses open, shadow read. */
  ready(): HealthVerdict;
  /** `/metrics`: Prometheus text. */
  metrics(): string;
}

/**
 * `/healthz`, `/readyz` and `/metrics` over plain HTTP. A failing check answers 503 with its
 * reasons as JSON, which is what Kubernetes probes, Docker's HEALTHCHECK and load balancers read.
 */
export class HealthServer {
  private constructor(private readonly server: Server) {}

  /** Listens on `host:port` (port 0 picks one); loopback unless told otherwise. */
  static async start(routes: HealthRoutes, port: number, host = "127.0.0.1"):
    Promise<HealthServer> {
    const server = createServer((req, res) => answer(routes, req, res));
    const failed = once(server, "error").then(([error]) => Promise.reject(error as Error));
    server.listen(port, host);
    await Promise.race([once(server, "listening"), failed]);
    failed.catch(() => undefined);
    return new HealthServer(server);
  }

  get url(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `http://${address.includes(":") ? `[${address}]` : address}:${port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, "close");
  }
}

function answer(routes: HealthRoutes, req: IncomingMessage, res: ServerResponse): void {
  const path = req.url?.split("?")[0];
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD" }).end();
    return;
  }
  if (path === "/metrics") {
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
    res.end(routes.metrics());
    return;
  }
  if (path !== "/healthz" && path !== "/readyz") {
    res.writeHead(404).end();
    return;
  }
  const health = path === "/healthz" ? routes.live() : routes.ready();
  const body = health.ok ? { status: "ok" } : { status: "failing", reasons: health.reasons };
  res.writeHead(health.ok ? 200 : 503, { "content-type": "application/json" });
  res.end(`${JSON.stringify(body)}\n`);
}
