import { createServer, type Server, type Socket } from "node:net";

export interface SilentServer {
  readonly server: Server;
  readonly endpoint: string;
  /** Connections open now. */
  openConnections(): number;
  /** Ends the connections still open, then the server. */
  close(): Promise<void>;
}

/**
 * A server on loopback that takes every connection and request and never answers, as a hung
 * S3 endpoint does.
 */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("data", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    server,
    endpoint: `http://127.0.0.1:${port}`,
    openConnections: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
