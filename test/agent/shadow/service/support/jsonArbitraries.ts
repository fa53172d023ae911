import fc from "fast-check";
import type { JsonObject, JsonValue } from "../../../../../agent/shadow/JsonValue.js";

// Few distinct keys, so that generated patches hit stored keys often; "state" is among them
// because a property of that name must behave like any other.
const key = fc.constantFrom("a", "b", "c", "state", "door");

const { value } = fc.letrec<{ value: JsonValue; object: JsonObject }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.oneof(fc.integer({ min: -3, max: 3 }), fc.boolean(), fc.constantFrom("x", "y")),
    fc.array(tie("value"), { maxLength: 3 }),
    tie("object"),
  ),
  object: fc.dictionary(key, tie("value"), { maxKeys: 4 }),
}));

/** A JSON object with nulls anywhere: a patch as a client may send it. */
export const patchArbitrary: fc.Arbitrary<JsonObject> = fc.dictionary(
  key,
  fc.oneof(value, fc.constant(null)),
  { maxKeys: 4 },
);

/** A JSON value; objects may carry nulls (nested patches) and arrays may hold them too. */
export const jsonValueArbitrary = value;
