// The addon ships no types; this is the part of its API the notify socket uses.
declare module "unix-dgram" {
  import type { EventEmitter } from "node:events";

  export interface UnixDgramSocket extends EventEmitter {
    bind(path: string): void;
    send(buf: Buffer, offset: number, length: number, path: string,
      callback?: (error?: Error) => void): void;
    close(): void;
  }

  export function createSocket(type: "unix_dgram",
    listener?: (message: Buffer) => void): UnixDgramSocket;
}
