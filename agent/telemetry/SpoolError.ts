/** A spool segment or acknowledgement log that is damaged where a torn write cannot explain. */
export class SpoolError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`${file} at byte ${offset}: expected ${expected}, found ${found}`);
    this.name = "SpoolError";
  }
}
