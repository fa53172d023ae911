import type { BodyMap } from "../body/BodyMap.js";

/** A field as the page offers it: the values desired may take. */
export type PageField =
  | { readonly kind: "enum"; readonly values: readonly string[];
      readonly opening: readonly string[] }
  | { readonly kind: "position"; readonly min: number; readonly max: number };

/**
 * What the vehicle page reads from `settings.json` before it connects: which shadow, which
 * broker, and the fields of the body map.
 */
export interface PageSettings {
  readonly thing: string;
  /** A named shadow; the classic shadow when absent. */
  readonly shadowName?: string;
  /** `ws://` or `wss://`; absent: `/mqtt` on the page's own host and port. */
  readonly brokerUrl?: string;
  readonly fields: Readonly<Record<string, PageField>>;
  /** The interlock's limit, shown beside the controls that open. */
  readonly maxSpeed: number;
  /** `POST /sim` changes the simulated vehicle (embedded default only). */
  readonly simulator: boolean;
}

export interface PageSettingsInput {
  readonly thing: string;
  readonly shadowName?: string;
  readonly brokerUrl?: string;
  readonly body: BodyMap;
  readonly simulator: boolean;
}

export function pageSettings(input: PageSettingsInput): PageSettings {
  const fields: Record<string, PageField> = {};
  for (const [name, spec] of Object.entries(input.body.fields)) {
    fields[name] = spec.kind === "enum"
      ? { kind: "enum", values: Object.keys(spec.command.values), opening: spec.opening ?? [] }
      : { kind: "position", min: spec.min, max: spec.max };
  }
  return {
    thing: input.thing,
    ...(input.shadowName === undefined ? {} : { shadowName: input.shadowName }),
    ...(input.brokerUrl === undefined ? {} : { brokerUrl: input.brokerUrl }),
    fields,
    maxSpeed: input.body.interlock.maxSpeed,
    simulator: input.simulator,
  };
}
