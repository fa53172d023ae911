/**
 * Parameter group number of a 29-bit J1939 identifier. In PDU1 format (PF < 240) the PS byte
 * is a destination address and not part of the PGN; in PDU2 it is the group extension.
 */
export function pgnOf(id: number): number {
  const pf = (id >>> 16) & 0xff;
  return pf < 240 ? (id >>> 8) & 0x3ff00 : (id >>> 8) & 0x3ffff;
}
