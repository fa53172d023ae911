const NUMBERED = /^can(\d{1,3})$/;
const MAX_BUS_CHANNEL = 255;

/**
 * Numbers for CAN channel names in the 8-bit BusChannel member. `canN` is stored as N, the
 * convention CANedge and asammdf users read back as `can<BusChannel>`. Other names (`vcan0`,
 * `body`) take numbers from 255 downwards and are listed in a value-to-text conversion on
 * BusChannel so that the name survives the round trip.
 */
export class BusChannelMap {
  private readonly numbers = new Map<string, number>();
  private readonly names = new Map<number, string>();
  private nextNamed = MAX_BUS_CHANNEL;

  /** True once a name that is not `canN` has been numbered. */
  hasNamedChannels = false;

  numberOf(name: string): number {
    const known = this.numbers.get(name);
    if (known !== undefined) return known;

    const numbered = NUMBERED.exec(name);
    const n = numbered ? Number(numbered[1]) : this.allocate(name);
    if (n > MAX_BUS_CHANNEL) throw new RangeError(`channel ${name}: BusChannel ${n} exceeds 255`);
    const holder = this.names.get(n);
    if (holder !== undefined) {
      throw new RangeError(`channel ${name}: BusChannel ${n} already stands for ${holder}`);
    }
    this.numbers.set(name, n);
    this.names.set(n, name);
    return n;
  }

  /** Every numbered channel, ascending by number. */
  entries(): [number, string][] {
    return [...this.names.entries()].sort((a, b) => a[0] - b[0]);
  }

  private allocate(name: string): number {
    while (this.names.has(this.nextNamed)) this.nextNamed--;
    if (this.nextNamed < 0) throw new RangeError(`channel ${name}: no BusChannel number left`);
    this.hasNamedChannels = true;
    return this.nextNamed--;
  }
}
