/** A parsed `Content-Range` reply header (RFC 9110 §14.4). */
export type ContentRange =
  | { readonly kind: "range"; readonly start: number; readonly end: number; readonly total?: number }
  | { readonly kind: "unsatisfied"; readonly total: number };

/**
 * Parses `bytes 0-99/600`, `bytes 0-99/*` and `bytes *\/600`. `end` is exclusive here, unlike
 * the header, so that lengths are `end - start` everywhere in the sources.
 */
export function parseContentRange(header: string): ContentRange | undefined {
  const satisfied = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header.trim());
  if (satisfied) {
    const start = Number(satisfied[1]);
    const end = Number(satisfied[2]) + 1;
    const total = satisfied[3] === "*" ? undefined : Number(satisfied[3]);
    // No byte of a 0-byte object can be satisfied, yet some stores (s3rver) answer a range
    // on one with `206 bytes 0-0/0` instead of `416 bytes */0`: the same fact.
    if (total === 0) return { kind: "unsatisfied", total: 0 };
    if (end <= start || (total !== undefined && end > total)) return undefined;
    return total === undefined ? { kind: "range", start, end } : { kind: "range", start, end, total };
  }
  const unsatisfied = /^bytes \*\/(\d+)$/.exec(header.trim());
  if (unsatisfied) return { kind: "unsatisfied", total: Number(unsatisfied[1]) };
  return undefined;
}
