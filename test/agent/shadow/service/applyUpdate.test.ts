import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeDelta } from "../../../../agent/shadow/service/computeDelta.js";
import { pickPaths } from "../../../../agent/shadow/service/pickPaths.js";
import type { JsonObject } from "../../../../agent/shadow/JsonValue.js";
import { patchArbitrary } from "./support/jsonArbitraries.js";
import { applyDelete } from "../../../../agent/shadow/service/applyDelete.js";
import { applyUpdate, currentVersion } from "../../../../agent/shadow/service/applyUpdate.js";
import { getResponse } from "../../../../agent/shadow/service/getResponse.js";
import type { ShadowRecord } from "../../../../agent/shadow/service/ShadowDocument.js";
import type { ShadowError } from "../../../../agent/shadow/service/ShadowError.js";
import type { UpdateRequest } from "../../../../agent/shadow/service/ShadowRequest.js";

const address = { thing: "bench" };
const T0 = 1_700_000_000_000;
const HOUR = 3600 * 1000;

/** Applies requests in turn, one second apart, returning every outcome. */
function run(requests: UpdateRequest[], record?: ShadowRecord) {
  return requests.map((request, i) => {
    const outcome = applyUpdate(address, record, request, T0 + i * 1000);
    record = outcome.record;
    return outcome;
  });
}

function thrown(action: () => unknown): ShadowError {
  try {
    action();
  } catch (error) {
    return error as ShadowError;
  }
  throw new Error("expected a throw");
}

describe("applyUpdate", () => {
  it("numbers versions from 1 and accepts a version that equals the current one", () => {
    const [first, second] = run([{ state: { reported: { a: 1 } } },
      { state: { reported: { a: 2 } }, version: 1 }]);
    expect([first!.record.version, second!.record.version]).toEqual([1, 2]);
  });

  it("refuses a stale version with 409, carrying the clientToken", () => {
    const [first] = run([{ state: { reported: { a: 1 } } }]);
    const error = thrown(() => applyUpdate(address, first!.record,
      { state: { reported: { a: 2 } }, version: 0, clientToken: "c" }, T0));
    expect([error.code, error.message, error.clientToken]).toEqual([409, "Version conflict", "c"]);
  });

  it("echoes a deleting null on accepted with its timestamp", () => {
    const [, second] = run([{ state: { desired: { color: "RED" } } },
      { state: { desired: { color: null } } }]);
    const t = Math.floor((T0 + 1000) / 1000);
    expect(second!.accepted).toEqual({
      state: { desired: { color: null } },
      metadata: { desired: { color: { timestamp: t } } },
      version: 2,
      timestamp: t,
    });
  });

  it("publishes no delta for a deleted desired key although other keys still differ", () => {
    const [first, second] = run([
      { state: { desired: { color: "RED", fan: 3 }, reported: { color: "GREEN", fan: 1 } } },
      { state: { desired: { color: null } } },
    ]);
    expect(first!.delta?.state).toEqual({ color: "RED", fan: 3 });
    expect(second!.delta).toBeUndefined();
  });

  it("publishes the whole remaining delta when reported is deleted as a section", () => {
    const [, second] = run([
      { state: { desired: { door: "locked" }, reported: { door: "locked" } } },
      { state: { reported: null } },
    ]);
    expect(second!.delta?.state).toEqual({ door: "locked" });
    expect(second!.record.document?.state).toEqual({ desired: { door: "locked" } });
  });

  it("clears both sections on a top-level null state and still counts a version", () => {
    const [, second] = run([{ state: { desired: { a: 1 }, reported: { b: 2 } } }, { state: null }]);
    expect(second!.record.document).toMatchObject({ state: {}, metadata: {}, version: 2 });
    expect(second!.accepted).toMatchObject({ state: null, version: 2 });
    expect(second!.delta).toBeUndefined();
  });

  it("omits previous from /documents when the shadow is new", () => {
    const [first] = run([{ state: { reported: { a: 1 } } }]);
    expect(Object.keys(first!.documents)).toEqual(["current", "timestamp"]);
  });
});

describe("delete and re-creation", () => {
  const [created] = run([{ state: { reported: { a: 1 } } }]);

  it("keeps the version in a tombstone and answers get with 404 afterwards", () => {
    const { record, accepted } = applyDelete(address, created!.record, T0, "d");
    expect(accepted).toEqual({ version: 1, timestamp: T0 / 1000, clientToken: "d" });
    expect(thrown(() => getResponse(address, record, T0, undefined)).code).toBe(404);
    expect(thrown(() => applyDelete(address, record, T0, undefined)).code).toBe(404);
  });

  it("continues the version within 48 hours of the delete, restarts from 0 after", () => {
    const { record } = applyDelete(address, created!.record, T0, undefined);
    expect(currentVersion(record, T0 + 48 * HOUR)).toBe(1);
    expect(currentVersion(record, T0 + 48 * HOUR + 1)).toBe(0);
    const late = applyUpdate(address, record, { state: { reported: { a: 1 } } }, T0 + 49 * HOUR);
    expect(late.record.version).toBe(1);
  });
});

describe("update sequences", () => {
  const section = fc.oneof(
    { weight: 4, arbitrary: patchArbitrary },
    { weight: 1, arbitrary: fc.constant(null) },
  );
  const request = fc.oneof(
    { weight: 9, arbitrary: fc.record({ desired: section, reported: section }, { requiredKeys: [] })
      .map((state) => ({ state })) },
    { weight: 1, arbitrary: fc.constant({ state: null }) },
  );

  it("property: versions count up by one and /delta is a part of the shadow's delta", () => {
    fc.assert(fc.property(fc.array(request, { maxLength: 8 }), (requests) => {
      run(requests).forEach((outcome, i) => {
        const document = outcome.record.document!;
        expect(document.version).toBe(i + 1);
        expect(outcome.accepted.version).toBe(i + 1);
        const full = computeDelta(document.state.desired, document.state.reported);
        if (outcome.delta === undefined) return;
        expect(outcome.delta.version).toBe(i + 1);
        const published = outcome.delta.state as JsonObject;
        expect(pickPaths(full, published)).toEqual(published);
      });
    }));
  });

  it("property: an update that only deletes desired keys publishes no delta", () => {
    fc.assert(fc.property(patchArbitrary, patchArbitrary, (desired, reported) => {
      const deletes = Object.fromEntries(Object.keys(desired).map((k) => [k, null]));
      const [, second] = run([{ state: { desired, reported } }, { state: { desired: deletes } }]);
      expect(second!.delta).toBeUndefined();
    }));
  });
});
