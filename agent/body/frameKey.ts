/** One number per identifier space: 29-bit identifiers are kept apart from 11-bit ones. */
export function frameKey(id: number, extended: boolean): number {
  return extended ? id + 0x2000_0000 : id;
}
