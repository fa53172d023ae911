import { Duplex, Transform } from "node:stream";
import type { TransformCallback } from "node:stream";

/**
 * The largest MQTT packet the embedded broker takes: AWS IoT Core's 128 KiB payload limit plus
 * room for the topic and properties. A shadow document is at most 8 KiB there.
 */
export const MAX_PACKET_BYTES = 128 * 1024 + 4096;

/** A connection that announced a packet over the limit, or a malformed length. */
export class MqttPacketTooLargeError extends Error {
  constructor(readonly offset: number, readonly announced: number | undefined,
    readonly limit: number) {
    super(announced === undefined
      ? `MQTT stream byte ${offset}: remaining length longer than 4 bytes (MQTT 3.1.1 §2.2.3)`
      : `MQTT stream byte ${offset}: packet of ${announced} bytes announced, at most ${limit} ` +
        "taken");
    this.name = "MqttPacketTooLargeError";
  }
}

/**
 * Passes an MQTT byte stream through while reading each fixed header's remaining length, and
 * fails the stream as soon as a packet announces more than `limit` bytes: the parser behind it
 * would otherwise buffer up to 256 MiB for one packet of any client.
 */
export class MqttPacketLimit extends Transform {
  #offset = 0;
  /** Bytes of the current packet's body still to pass; -1 while a fixed header is read. */
  #bodyLeft = 0;
  #headerAt = 0;
  #lengthBytes = 0;
  #length = 0;

  constructor(private readonly limit = MAX_PACKET_BYTES) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const error = this.#scan(chunk);
    if (error !== undefined) {
      done(error);
      return;
    }
    done(null, chunk);
  }

  #scan(chunk: Buffer): Error | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.#bodyLeft > 0) {
        const skip = Math.min(this.#bodyLeft, chunk.length - i);
        this.#bodyLeft -= skip;
        i += skip;
        continue;
      }
      if (this.#bodyLeft === 0) this.#startHeader(this.#offset + i);
      const byte = chunk[i] as number;
      i += 1;
      if (this.#headerAt === this.#offset + i - 1) continue; // the packet type byte
      this.#length += (byte & 0x7f) * 128 ** this.#lengthBytes;
      this.#lengthBytes += 1;
      if ((byte & 0x80) !== 0) {
        if (this.#lengthBytes === 4) {
          return new MqttPacketTooLargeError(this.#headerAt, undefined, this.limit);
        }
        continue;
      }
      if (this.#length > this.limit) {
        return new MqttPacketTooLargeError(this.#headerAt, this.#length, this.limit);
      }
      this.#bodyLeft = this.#length;
    }
    this.#offset += chunk.length;
    return undefined;
  }

  #startHeader(at: number): void {
    this.#bodyLeft = -1;
    this.#headerAt = at;
    this.#lengthBytes = 0;
    this.#length = 0;
  }
}

/**
 * `connection` as the broker should see it: what it reads passes `MqttPacketLimit`, what it
 * writes goes straight out. An oversized packet destroys the connection.
 */
export function limitMqttPackets(connection: Duplex, limit = MAX_PACKET_BYTES): Duplex {
  const guard = new MqttPacketLimit(limit);
  connection.pipe(guard);
  const limited = Duplex.from({ readable: guard, writable: connection });
  guard.on("error", () => connection.destroy());
  connection.on("error", (error) => guard.destroy(error));
  limited.on("close", () => connection.destroy());
  return limited;
}
