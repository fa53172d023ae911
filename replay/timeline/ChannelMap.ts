import { ReplayOptionError } from "../ReplayOptionError.js";

/**
 * Channel assignments `OUT=IN`, as canplayer takes `vcan0=can1`: frames recorded on IN go out
 * on OUT. As with canplayer, once any assignment is given, frames of channels without one are
 * not replayed.
 */
export class ChannelMap {
  private constructor(private readonly outByIn: ReadonlyMap<string, string>) {}

  static parse(specs: readonly string[]): ChannelMap {
    const outByIn = new Map<string, string>();
    for (const spec of specs.flatMap((s) => s.split(","))) {
      const match = /^([^=\s]+)=([^=\s]+)$/.exec(spec.trim());
      if (!match) throw new ReplayOptionError(`--map ${spec}: expected OUT=IN, e.g. vcan0=can1`);
      const [, out, input] = match as unknown as [string, string, string];
      if (outByIn.has(input)) throw new ReplayOptionError(`--map: channel ${input} mapped twice`);
      outByIn.set(input, out);
    }
    return new ChannelMap(outByIn);
  }

  get isEmpty(): boolean {
    return this.outByIn.size === 0;
  }

  /** The output channel for a recorded one, or undefined when it is not replayed. */
  map(channel: string): string | undefined {
    if (this.outByIn.size === 0) return channel;
    return this.outByIn.get(channel);
  }
}
