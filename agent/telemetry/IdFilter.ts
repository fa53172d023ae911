import type { IdRule } from "./TelemetryConfig.js";

const UNDECIDED = 0;
const ACCEPT = 1;
const REJECT = 2;

/**
 * Accept and reject rules on CAN IDs, by range or by mask; the first rule that matches wins.
 * When no rule matches, the ID is accepted only if the list has no accept rule (a list of
 * rejections means "everything but"). Decisions are cached per ID: the rules run once per ID.
 */
export class IdFilter {
  private readonly standard = new Uint8Array(0x800);
  private readonly extendedCache = new Map<number, boolean>();
  private readonly fallback: boolean;

  constructor(private readonly rules: readonly IdRule[] = []) {
    for (const [i, rule] of rules.entries()) checkRule(rule, i);
    this.fallback = !rules.some((r) => r.action === "accept");
  }

  accepts(id: number, extended: boolean): boolean {
    if (!extended && id < 0x800) {
      const cached = this.standard[id];
      if (cached !== UNDECIDED) return cached === ACCEPT;
      const decision = this.decide(id, false);
      this.standard[id] = decision ? ACCEPT : REJECT;
      return decision;
    }
    let decision = this.extendedCache.get(id);
    if (decision === undefined) {
      decision = this.decide(id, true);
      this.extendedCache.set(id, decision);
    }
    return decision;
  }

  private decide(id: number, extended: boolean): boolean {
    for (const rule of this.rules) {
      if (rule.extended !== undefined && rule.extended !== extended) continue;
      const match = "mask" in rule
        ? ((id & rule.mask) >>> 0) === ((rule.id & rule.mask) >>> 0)
        : id >= rule.from && id <= rule.to;
      if (match) return rule.action === "accept";
    }
    return this.fallback;
  }
}

function checkRule(rule: IdRule, index: number): void {
  const bad = (what: string) => new RangeError(`ids[${index}]: ${what}`);
  if ("mask" in rule) {
    if (!isId(rule.id) || !isId(rule.mask)) throw bad("expected id and mask of 0 to 0x1FFFFFFF");
  } else if (!isId(rule.from) || !isId(rule.to) || rule.from > rule.to) {
    throw bad(`expected from <= to within 0 to 0x1FFFFFFF, found ${rule.from}..${rule.to}`);
  }
}

function isId(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0x1fffffff;
}
