/** A yes or no, with why not: each reason names the part and what is wrong with it. */
export interface HealthVerdict {
  readonly ok: boolean;
  readonly reasons: readonly string[];
}

export function verdict(reasons: readonly string[]): HealthVerdict {
  return { ok: reasons.length === 0, reasons };
}
