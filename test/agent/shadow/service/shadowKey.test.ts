import { describe, expect, it } from "vitest";
import { shadowKey } from "../../../../agent/shadow/service/shadowKey.js";

describe("shadowKey", () => {
  it("keeps classic and named shadows, and names with separators, apart", () => {
    const keys = [
      shadowKey({ thing: "a" }),
      shadowKey({ thing: "a", shadowName: "b" }),
      shadowKey({ thing: "a.b" }),
      shadowKey({ thing: "a", shadowName: "b.c" }),
      shadowKey({ thing: "a.b", shadowName: "c" }),
      shadowKey({ thing: "wagen-ü/../x" }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.every((key) => /^[A-Za-z0-9_.%-]+$/.test(key))).toBe(true);
  });
});
