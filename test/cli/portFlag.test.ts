import { describe, expect, it } from "vitest";
import { portFlag } from "../../cli/portFlag.js";

describe("portFlag", () => {
  it.each(["0", "80", "18831", "65535"])("takes %s", (text) => {
    expect(portFlag("--web-port", text)).toBe(Number(text));
  });

  it.each(["1e3", "0x50", " 80", "80 ", "-1", "65536", "123456", "", "8.0", "port"])(
    "refuses %j, naming the flag", (text) => {
      expect(() => portFlag("--web-port", text)).toThrow(
        `--web-port: expected a port number, found '${text}'`);
    });
});
