/** Signal values by signal name, as `Dbc.encode` takes them: physical numbers or labels. */
export type SignalValues = Readonly<Record<string, number | string>>;

/**
 * A shadow field with a few named states (door, lock, trunk). Each desired value is one CAN
 * command; the status signal's values name the state the body ECU reports.
 */
export interface EnumField {
  readonly kind: "enum";
  readonly command: {
    readonly message: string;
    /** Shadow value → the command's signals; signals left out are sent as raw 0. */
    readonly values: Readonly<Record<string, SignalValues>>;
  };
  readonly status: {
    readonly message: string;
    readonly signal: string;
    /** Physical status value (as a decimal string) → shadow value. */
    readonly values: Readonly<Record<string, string>>;
  };
  /** Desired values the speed interlock refuses above the limit. */
  readonly opening?: readonly string[];
}

/** A shadow field holding a number in a range (a window's position, percent open). */
export interface PositionField {
  readonly kind: "position";
  readonly min: number;
  readonly max: number;
  readonly command: {
    readonly message: string;
    /** The signal that carries the desired value. */
    readonly signal: string;
    /** Further signals sent with it (a request flag). */
    readonly with?: SignalValues;
  };
  readonly status: {
    readonly message: string;
    readonly signal: string;
    /** A status within this distance of the desired value confirms it (the signal's step). */
    readonly tolerance: number;
  };
  /** Which direction the interlock refuses above the speed limit. */
  readonly opening?: "increase" | "decrease";
}

export type BodyField = EnumField | PositionField;

/** The vehicle's speed as the interlock reads it. */
export interface SpeedInterlock {
  readonly message: string;
  readonly signal: string;
  /** Opening is refused above this speed, in the signal's unit. */
  readonly maxSpeed: number;
  /** A speed older than this counts as unknown, and unknown refuses opening. */
  readonly maxAgeMs: number;
}

/** Ties each shadow field of one vehicle to its CAN command and status signals. */
export interface BodyMap {
  readonly fields: Readonly<Record<string, BodyField>>;
  readonly interlock: SpeedInterlock;
}
