import { describe, expect, it } from "vitest";
import { ReplayOptionError } from "../../../replay/ReplayOptionError.js";
import { ChannelMap } from "../../../replay/timeline/ChannelMap.js";

describe("ChannelMap", () => {
  it("passes every channel through when empty", () => {
    expect(ChannelMap.parse([]).map("can3")).toBe("can3");
  });

  it("maps IN to OUT and leaves unmapped channels out", () => {
    const map = ChannelMap.parse(["vcan0=can1", "vcan1=can2"]);
    expect(map.map("can1")).toBe("vcan0");
    expect(map.map("can2")).toBe("vcan1");
    expect(map.map("can3")).toBeUndefined();
  });

  it("refuses a spec without = and a channel mapped twice", () => {
    expect(() => ChannelMap.parse(["vcan0"])).toThrow(ReplayOptionError);
    expect(() => ChannelMap.parse(["a=can1", "b=can1"])).toThrow(/mapped twice/);
  });
});
