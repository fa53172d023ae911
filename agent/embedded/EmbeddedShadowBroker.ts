import { randomBytes } from "node:crypto";
import { EventEmitter, once } from "node:events";
import { createServer } from "node:net";
import type { AddressInfo, Server } from "node:net";
import type { Duplex } from "node:stream";
import type { Aedes, AedesOptions, AuthenticateError } from "aedes";
import { connectAsync } from "mqtt";
import type { MqttClient } from "mqtt";
import type { Component, ComponentHealth } from "../Component.js";
import { FileShadowStore } from "../shadow/service/FileShadowStore.js";
import { MemoryShadowStore } from "../shadow/service/MemoryShadowStore.js";
import { ShadowService } from "../shadow/service/ShadowService.js";
import type { ShadowServiceEvents } from "../shadow/service/ShadowService.js";
import { parseShadowTopic } from "../shadow/ShadowTopic.js";
import { limitMqttPackets } from "./MqttPacketLimit.js";

/** The shadow service's MQTT client ID on the embedded broker, reserved to it. */
const SERVICE_ID = "roadrig-shadow-service";

export interface EmbeddedShadowBrokerOptions {
  /** Loopback port; 0 picks a free one. */
  readonly port: number;
  /** Where shadows are kept across restarts; in memory when absent. */
  readonly stateDir?: string;
}

/**
 * An in-process MQTT broker (aedes) on loopback with the local shadow service on it: the
 * device shadow for a rig or a newcomer without AWS. The service's events are passed on.
 */
export class EmbeddedShadowBroker extends EventEmitter<ShadowServiceEvents> implements Component {
  readonly name = "embedded-broker";
  #broker: Aedes | undefined;
  #server: Server | undefined;
  #client: MqttClient | undefined;
  #service: ShadowService | undefined;
  #port = 0;

  constructor(private readonly options: EmbeddedShadowBrokerOptions) {
    super();
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.#port}`;
  }

  /** Starts all of it, or, when a part fails (a state folder it cannot make), none of it. */
  async start(): Promise<void> {
    try {
      await this.#start();
    } catch (error) {
      // The listening server and the reconnecting client would keep the process alive.
      await this.stop().catch(() => undefined);
      throw error;
    }
  }

  async #start(): Promise<void> {
    // Loaded on first use: a configured agent never runs the embedded broker.
    const { Aedes: AedesBroker } = await import("aedes");
    const password = randomBytes(16).toString("hex");
    const broker = (this.#broker = await AedesBroker.createBroker(serviceOnly(password)));
    // Nagle off on the broker's side too: each shadow answer would otherwise wait ~40 ms.
    const server = createServer((socket) => broker.handle(
      limitMqttPackets(socket.setNoDelay(true))));
    this.#server = server;
    server.listen(this.options.port, "127.0.0.1");
    await Promise.race([once(server, "listening"), once(server, "error").then(([e]) => {
      throw e as Error;
    })]);
    this.#port = (server.address() as AddressInfo).port;

    const client = await connectAsync(this.url, { clientId: SERVICE_ID, username: SERVICE_ID,
      password, reconnectPeriod: 1000 });
    (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    this.#client = client;
    const store = this.options.stateDir === undefined
      ? new MemoryShadowStore()
      : new FileShadowStore(this.options.stateDir);
    const service = (this.#service = new ShadowService({ client, store }));
    service.on("ignored", (topic) => this.emit("ignored", topic));
    service.on("failed", (error, topic) => this.emit("failed", error, topic));
    await service.start();
  }

  /**
   * Serves one more MQTT connection on a byte stream: a WebSocket the vehicle page opened on the
   * agent's HTTP port (`mqttOverWebSocket`). Refused before `start()`.
   */
  handle(stream: Duplex): void {
    if (this.#broker === undefined) {
      stream.destroy(new Error("the embedded broker is not started"));
      return;
    }
    this.#broker.handle(limitMqttPackets(stream));
  }

  async stop(): Promise<void> {
    await this.#service?.stop();
    await this.#client?.endAsync();
    const broker = this.#broker;
    if (broker !== undefined) await new Promise<void>((resolve) => broker.close(() => resolve()));
    const server = this.#server;
    if (server?.listening) {
      server.close();
      await once(server, "close");
    }
  }

  health(): ComponentHealth {
    return {
      ok: this.#server?.listening === true && this.#client?.connected === true,
      details: { url: this.url, clients: this.#broker?.connectedClients ?? 0 },
    };
  }
}

/**
 * Any loopback client (the vehicle page's WebSocket included) may ask, but only the shadow
 * service answers: a delta, accepted or documents message from anyone else would command the
 * car or skew the agent's versions. Its client ID is kept from others, who would take over its
 * session (MQTT lets the newer connection with an ID close the older one).
 */
function serviceOnly(password: string): AedesOptions {
  return {
    authenticate(client, username, given, done) {
      const isService = username === SERVICE_ID && given?.toString() === password;
      if (client.id !== SERVICE_ID || isService) {
        done(null, true);
        return;
      }
      const refused = new Error(`client ID ${SERVICE_ID} is the shadow service's`);
      // 2: identifier rejected (MQTT 3.1.1 CONNACK).
      done(Object.assign<Error, Pick<AuthenticateError, "returnCode">>(refused,
        { returnCode: 2 }), false);
    },
    authorizePublish(client, packet, done) {
      const answer = parseShadowTopic(packet.topic)?.kind === "response";
      if (client !== null && client.id !== SERVICE_ID && answer) {
        done(new Error(`${packet.topic}: only the shadow service publishes its answers`));
        return;
      }
      done(null);
    },
  };
}
