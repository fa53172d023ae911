import { describe, expect, it } from "vitest";
import { EMPTY_VIEW, fieldView, shadowPrefix, supersedes, viewOf }
  from "../../../agent/web/page/shadowState.js";

describe("the page's reading of shadow documents", () => {
  it("reads a /get/accepted document, state at the top", () => {
    const view = viewOf({ state: { desired: { door: "open" }, reported: { door: "closed" },
      delta: { door: "open" } }, version: 7, timestamp: 1 });
    expect(view).toEqual({ version: 7, desired: { door: "open" }, reported: { door: "closed" } });
  });

  it("reads the current document of an /update/documents message", () => {
    const view = viewOf({ previous: { state: { reported: { door: "closed" } }, version: 7 },
      current: { state: { reported: { door: "open" } }, version: 8 }, timestamp: 2 });
    expect(view).toEqual({ version: 8, desired: {}, reported: { door: "open" } });
  });

  it("refuses messages without a numeric version", () => {
    expect(viewOf({ state: {} })).toBeUndefined();
    expect(viewOf("text")).toBeUndefined();
    expect(viewOf({ current: { version: "8" } })).toBeUndefined();
  });

  it("takes a GET of the same version but not a repeated document", () => {
    const at8 = { ...EMPTY_VIEW, version: 8 };
    expect(supersedes(at8, at8, true)).toBe(true);
    expect(supersedes(at8, at8, false)).toBe(false);
    expect(supersedes(at8, { ...EMPTY_VIEW, version: 7 }, true)).toBe(false);
    expect(supersedes(at8, { ...EMPTY_VIEW, version: 9 }, false)).toBe(true);
  });

  it("shows desired as pending only while it differs from reported", () => {
    const view = { version: 3, desired: { door: "open", trunk: "closed", lock: null },
      reported: { door: "closed", trunk: "closed", lock: "locked" } };
    expect(fieldView(view, "door").pending).toBe("open");
    expect(fieldView(view, "trunk").pending).toBeUndefined();
    expect(fieldView(view, "lock").pending).toBeUndefined();
    expect(fieldView(view, "windowFL")).toEqual({ reported: undefined, pending: undefined,
      error: undefined });
  });

  it("reads the agent's refusal from reported.errors", () => {
    const view = { version: 4, desired: {}, reported: { trunk: "closed", errors: {
      trunk: { desired: "open", code: "interlock", reason: "vehicle speed 12 is above 3" },
      door: null } } };
    expect(fieldView(view, "trunk").error).toEqual({ desired: "open", code: "interlock",
      reason: "vehicle speed 12 is above 3" });
    expect(fieldView(view, "door").error).toBeUndefined();
  });

  it("names the classic and a named shadow's topics", () => {
    expect(shadowPrefix("car-42")).toBe("$aws/things/car-42/shadow");
    expect(shadowPrefix("car-42", "body")).toBe("$aws/things/car-42/shadow/name/body");
  });
});
