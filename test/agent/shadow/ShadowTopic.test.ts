import { describe, expect, it } from "vitest";
import { parseShadowTopic, shadowTopic } from "../../../agent/shadow/ShadowTopic.js";

describe("shadow topics", () => {
  it("reads classic and named requests and responses", () => {
    expect(parseShadowTopic("$aws/things/car/shadow/update")).toEqual({
      kind: "request", address: { thing: "car" }, operation: "update",
    });
    expect(parseShadowTopic("$aws/things/car/shadow/name/cfg/get/rejected")).toEqual({
      kind: "response", address: { thing: "car", shadowName: "cfg" }, operation: "get",
      response: "rejected",
    });
  });

  it("refuses topics of any other form", () => {
    for (const topic of [
      "$aws/things/car/shadow/get/delta",
      "$aws/things/car/shadow/update/accepted/extra",
      "$aws/things/car/shadow/name/update",
      "$aws/things//shadow/get",
      "$aws/things/car/shadow",
      "$aws/things/car/jobs/get",
      "things/car/shadow/get",
    ]) {
      expect(parseShadowTopic(topic), topic).toBeUndefined();
    }
  });

  it("builds the topics it reads", () => {
    const address = { thing: "car", shadowName: "cfg" };
    expect(parseShadowTopic(shadowTopic(address, "delete", "accepted"))).toMatchObject({
      address, operation: "delete", response: "accepted",
    });
  });
});
