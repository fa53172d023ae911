import { EventEmitter, once } from "node:events";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join } from "node:path";
import type { Duplex } from "node:stream";
import type { BodyMap } from "../body/BodyMap.js";
import type { Component, ComponentHealth } from "../Component.js";
import { mqttOverWebSocket } from "../embedded/mqttOverWebSocket.js";
import type { MqttWebSocketListener } from "../embedded/mqttOverWebSocket.js";
import { isLocalRequest } from "./isLocalRequest.js";
import { pageAssets } from "./pageAssets.js";
import type { PageAssets } from "./pageAssets.js";
import type { PageSettings } from "./PageSettings.js";
import { simulateVehicle } from "./simulateVehicle.js";
import type { SimulatedVehicle } from "./simulateVehicle.js";

export interface VehiclePageServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly settings: PageSettings;
  /** A port in use is reported (`unavailable`) instead of failing the agent's start. */
  readonly optional?: boolean;
  readonly assets?: PageAssets;
}

/** The parts of the agent the page's server passes requests to. */
export interface VehiclePageLinks {
  /** The embedded broker: MQTT over WebSockets at `/mqtt` on the same port. */
  readonly broker?: { handle(stream: Duplex): void };
  /** The simulated ECU and its map: `POST /sim` changes the vehicle side. */
  readonly simulator?: { readonly vehicle: SimulatedVehicle; readonly map: BodyMap };
}

export interface VehiclePageServerEvents {
  listening: [url: string];
  /** An optional page whose port was taken; the agent runs without it. */
  unavailable: [error: Error];
  /** A request that failed inside the server (answered 500 without the reason). */
  failed: [error: Error];
}

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

const MAX_SIM_BYTES = 4096;

/**
 * The vehicle page: an HTTP server for the page's files and `settings.json`, with the embedded
 * broker's MQTT over WebSockets at `/mqtt` and the simulator hook at `/sim` when it has them.
 */
export class VehiclePageServer extends EventEmitter<VehiclePageServerEvents>
  implements Component {
  readonly name = "vehicle-page";
  readonly #options: VehiclePageServerOptions;
  readonly #assets: PageAssets;
  #links: VehiclePageLinks = {};
  #server: Server | undefined;
  #mqtt: MqttWebSocketListener | undefined;
  #port = 0;

  constructor(options: VehiclePageServerOptions) {
    super();
    this.#options = options;
    this.#assets = options.assets ?? pageAssets();
  }

  /** The page's address, once started. */
  get url(): string {
    const host = this.#options.host.includes(":") ? `[${this.#options.host}]` : this.#options.host;
    return `http://${host}:${this.#port}/`;
  }

  /** Ties the page to the agent's parts, which exist only once the agent is built. */
  attach(links: VehiclePageLinks): void {
    this.#links = links;
  }

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      this.#serve(request, response).catch((error: unknown) => {
        // The reason goes to the agent's events, not to the client: it may name local paths.
        this.emit("failed", error as Error);
        send(response, 500, "text/plain; charset=utf-8", "internal error");
      });
    });
    server.listen(this.#options.port, this.#options.host);
    try {
      await Promise.race([once(server, "listening"), once(server, "error").then(([e]) => {
        throw e as Error;
      })]);
    } catch (error) {
      if (this.#options.optional !== true) throw error;
      this.emit("unavailable", error as Error);
      return;
    }
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
    this.#listenForMqtt(server);
    this.emit("listening", this.url);
  }

  #listenForMqtt(server: Server): void {
    const broker = this.#links.broker;
    if (broker !== undefined) {
      this.#mqtt = mqttOverWebSocket(server, {
        path: "/mqtt",
        handle: (stream) => broker.handle(stream),
        allow: (request) => isLocalRequest(request, this.#options.host),
      });
    }
  }

  async stop(): Promise<void> {
    await this.#mqtt?.close();
    const server = this.#server;
    if (server?.listening) {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    }
  }

  health(): ComponentHealth {
    const serving = this.#server?.listening === true;
    return {
      ok: serving || this.#options.optional === true,
      details: { url: serving ? this.url : null, websockets: this.#mqtt?.clients ?? 0 },
    };
  }

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!isLocalRequest(request, this.#options.host)) {
      send(response, 403, "text/plain; charset=utf-8", "not a request from this page");
      return;
    }
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (path === "/sim") {
      await this.#simulate(request, response);
      return;
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      send(response, 405, "text/plain; charset=utf-8", "expected GET");
      return;
    }
    if (path === "/settings.json") {
      send(response, 200, "application/json", JSON.stringify(this.#options.settings));
      return;
    }
    const file = this.#fileFor(path);
    if (file === undefined) {
      send(response, 404, "text/plain; charset=utf-8", `no ${path} here`);
      return;
    }
    const type = TYPES[extname(file)] ?? "application/octet-stream";
    send(response, 200, type, await readFile(file));
  }

  /** Only the names the page is made of: no path from the request reaches the file system. */
  #fileFor(path: string): string | undefined {
    const { staticDir, scriptDir, mqttBundle } = this.#assets;
    if (path === "/" || path === "/index.html") return join(staticDir, "index.html");
    if (path === "/vehicle.css") return join(staticDir, "vehicle.css");
    if (path === "/vendor/mqtt.esm.js") return mqttBundle;
    const script = /^\/page\/([A-Za-z]+\.js(?:\.map)?)$/.exec(path);
    return script === null ? undefined : join(scriptDir, script[1]!);
  }

  async #simulate(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const simulator = this.#links.simulator;
    if (simulator === undefined) {
      send(response, 404, "text/plain; charset=utf-8", "no simulated vehicle in this agent");
      return;
    }
    if (request.method !== "POST") {
      response.setHeader("Allow", "POST");
      send(response, 405, "text/plain; charset=utf-8", "expected POST");
      return;
    }
    // JSON only: a cross-site form cannot send it without a preflight, which is not answered.
    if (!/^application\/json\b/.test(request.headers["content-type"] ?? "")) {
      send(response, 415, "text/plain; charset=utf-8", "expected application/json");
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(request, MAX_SIM_BYTES));
    } catch (error) {
      const status = error instanceof BodyTooLargeError ? 413 : 400;
      send(response, status, "text/plain; charset=utf-8", (error as Error).message);
      return;
    }
    const problems = simulateVehicle(simulator.vehicle, simulator.map, body);
    if (problems.length > 0) {
      send(response, 400, "application/json", JSON.stringify({ problems }));
      return;
    }
    response.writeHead(204).end();
  }
}

function send(
  response: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
): void {
  response.writeHead(status, {
    "content-type": type,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    // The page's own scripts, MQTT over WebSockets to wherever the settings point, and the
    // blob worker mqtt.js keeps its keepalive timer in (a background tab throttles timers).
    "content-security-policy": "default-src 'self'; connect-src 'self' ws: wss:; " +
      "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'",
  });
  response.end(body);
}

class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`body over ${limit} bytes`);
  }
}

async function readBody(request: IncomingMessage, limit: number): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
