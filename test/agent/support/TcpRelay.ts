import { once } from "node:events";
import { connect, createServer } from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";

/**
 * A loopback TCP relay in front of a broker that a test can cut: `cut()` drops every relayed
 * connection and refuses new ones until `restore()`. TLS passes through untouched.
 */
export class TcpRelay {
  readonly #sockets = new Set<Socket>();
  #open = true;

  private constructor(private readonly server: Server) {}

  static async start(targetPort: number): Promise<TcpRelay> {
    const server = createServer((client) => relay.relay(client, targetPort));
    const relay = new TcpRelay(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return relay;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  cut(): void {
    this.#open = false;
    for (const socket of this.#sockets) socket.destroy();
  }

  restore(): void {
    this.#open = true;
  }

  async stop(): Promise<void> {
    this.cut();
    this.server.close();
    await once(this.server, "close");
  }

  private relay(client: Socket, targetPort: number): void {
    if (!this.#open) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, "127.0.0.1");
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
