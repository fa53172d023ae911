import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly range: string | undefined;
  readonly ifMatch: string | undefined;
}

/** Answers the n-th request (0-based); it may write a partial body and cut the socket. */
export type Reply = (req: IncomingMessage, res: ServerResponse, n: number) => void;

/**
 * A node:http server on 127.0.0.1 that plays exact S3 replies (partial bodies, 416, a 200 to a
 * Range request) which a real store will not produce on demand, and records what it was asked.
 */
export class ScriptedS3Server {
  readonly requests: SeenRequest[] = [];
  private readonly server: Server;

  private constructor(reply: Reply) {
    this.server = createServer((req, res) => {
      const n = this.requests.length;
      this.requests.push({
        method: req.method ?? "",
        path: (req.url ?? "").split("?")[0] ?? "",
        range: header(req, "range"),
        ifMatch: header(req, "if-match"),
      });
      reply(req, res, n);
    });
  }

  static async start(reply: Reply): Promise<ScriptedS3Server> {
    const s = new ScriptedS3Server(reply);
    await new Promise<void>((resolve) => s.server.listen(0, "127.0.0.1", resolve));
    return s;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get gets(): SeenRequest[] {
    return this.requests.filter((r) => r.method === "GET");
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

/** Parses `bytes=a-b` (b inclusive) as the test servers need it. */
export function requestedRange(range: string | undefined): { start: number; end: number } {
  const m = /^bytes=(\d+)-(\d*)$/.exec(range ?? "");
  if (!m) throw new Error(`test server: unexpected Range ${range}`);
  return { start: Number(m[1]), end: m[2] === "" ? Infinity : Number(m[2]) + 1 };
}

/** A well-behaved ranged reply for `object` (206, or 416 past the end). */
export function serveRange(
  req: IncomingMessage, res: ServerResponse, object: Uint8Array, etag: string,
): void {
  const { start, end } = requestedRange(header(req, "range"));
  if (start >= object.length) {
    res.writeHead(416, { "Content-Range": `bytes */${object.length}`, ETag: etag });
    res.end("<Error><Code>InvalidRange</Code><Message>not satisfiable</Message></Error>");
    return;
  }
  const stop = Math.min(end, object.length);
  res.writeHead(206, {
    "Content-Range": `bytes ${start}-${stop - 1}/${object.length}`,
    "Content-Length": String(stop - start),
    ETag: etag,
  });
  res.end(object.subarray(start, stop));
}
