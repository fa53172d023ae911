import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { resolveIdentity } from "../../../agent/telemetry/resolveIdentity.js";

describe("resolveIdentity", () => {
  it("sends identifiers in clear without a salt", () => {
    expect(resolveIdentity({ vin: "V1", identifiers: { imei: "35" } }))
      .toEqual({ vehicle: "V1", identifiers: { imei: "35" } });
  });

  it("replaces every identifier by HMAC-SHA-256 of the salt when one is given", () => {
    const hmac = (v: string) => createHmac("sha256", "salt").update(v).digest("hex");
    const id = resolveIdentity({ vin: "WVWZZZ1JZXW000001", identifiers: { imei: "35" }, hashSalt: "salt" });
    expect(id).toEqual({ vehicle: hmac("WVWZZZ1JZXW000001"), identifiers: { imei: hmac("35") } });
    // Another salt, another fleet: the same VIN cannot be linked across them.
    expect(resolveIdentity({ vin: "WVWZZZ1JZXW000001", hashSalt: "other" }).vehicle).not.toBe(id.vehicle);
  });
});
