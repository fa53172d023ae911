import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JsonObject, JsonValue } from "../../../../agent/shadow/JsonValue.js";
import { isJsonObject } from "../../../../agent/shadow/JsonValue.js";
import { mergeState } from "../../../../agent/shadow/service/mergeState.js";
import {
  pickMetadata,
  requestMetadata,
  stampMetadata,
} from "../../../../agent/shadow/service/ShadowMetadata.js";
import { patchArbitrary } from "./support/jsonArbitraries.js";

describe("shadow metadata", () => {
  it("stamps only the leaves an update wrote and keeps the others' timestamps", () => {
    const state = { window: { front: 0, rear: 0 }, door: "open" };
    const metadata = {
      window: { front: { timestamp: 100 }, rear: { timestamp: 100 } },
      door: { timestamp: 100 },
    };
    expect(stampMetadata(metadata, state, { window: { rear: 5 } }, 200)).toEqual({
      window: { front: { timestamp: 100 }, rear: { timestamp: 200 } },
      door: { timestamp: 100 },
    });
  });

  it("gives an array one timestamp per element and drops the metadata of a deleted key", () => {
    const metadata = stampMetadata({ door: { timestamp: 1 } }, { door: "open" },
      { seats: [1, { heat: 2 }], door: null }, 9);
    expect(metadata).toEqual({ seats: [{ timestamp: 9 }, { heat: { timestamp: 9 } }] });
  });

  it("restamps a whole object that replaced a scalar, leaving no stale leaf", () => {
    expect(stampMetadata({ mode: { timestamp: 1 } }, { mode: "eco" }, { mode: { eco: true } }, 5))
      .toEqual({ mode: { eco: { timestamp: 5 } } });
  });

  it("stamps the nulls of a request too, as /update/accepted echoes them", () => {
    expect(requestMetadata({ color: null, mode: { fan: 1 } }, 7))
      .toEqual({ color: { timestamp: 7 }, mode: { fan: { timestamp: 7 } } });
  });

  it("picks the metadata of the delta's leaves", () => {
    const metadata = { window: { front: { timestamp: 3 }, rear: { timestamp: 4 } } };
    expect(pickMetadata(metadata, { window: { rear: 1 } }))
      .toEqual({ window: { rear: { timestamp: 4 } } });
  });

  it("property: after any sequence of updates, metadata mirrors the state leaf for leaf", () => {
    fc.assert(fc.property(fc.array(patchArbitrary, { maxLength: 5 }), (patches) => {
      let state: JsonObject | undefined;
      let metadata: JsonObject | undefined;
      patches.forEach((patch, i) => {
        metadata = stampMetadata(metadata, state, patch, i);
        state = mergeState(state, patch);
      });
      expect(mirrors(state ?? {}, metadata ?? {})).toBe(true);
    }));
  });
});

function mirrors(state: JsonValue, metadata: JsonValue | undefined): boolean {
  if (Array.isArray(state)) {
    return Array.isArray(metadata) && metadata.length === state.length
      && state.every((element, i) => mirrors(element, metadata[i]));
  }
  if (!isJsonObject(state)) {
    return isJsonObject(metadata) && typeof metadata.timestamp === "number"
      && Object.keys(metadata).length === 1;
  }
  if (!isJsonObject(metadata)) return false;
  const keys = Object.keys(state).sort();
  return JSON.stringify(keys) === JSON.stringify(Object.keys(metadata).sort())
    && keys.every((key) => mirrors(state[key]!, metadata[key]));
}
