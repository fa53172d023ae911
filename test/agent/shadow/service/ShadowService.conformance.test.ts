import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ShadowRejectedError } from "../../../../agent/shadow/ShadowRejectedError.js";
import type { TestBroker } from "./support/brokers.js";
import { startAedes, startMosquitto } from "./support/brokers.js";
import { ShadowRig } from "./support/ShadowRig.js";

// The same conformance suite runs on the in-process broker and on Debian's Mosquitto.
const brokers: [string, () => Promise<TestBroker>][] = [
  ["aedes", startAedes],
  ["mosquitto", startMosquitto],
];

let thingCounter = 0;
function newThing(): string {
  return `rig-${process.pid}-${++thingCounter}`;
}

describe.each(brokers)("shadow service on %s", (_name, startBroker) => {
  let broker: TestBroker;
  let rig: ShadowRig;

  beforeAll(async () => {
    broker = await startBroker();
    rig = await ShadowRig.start(broker.url);
  });

  afterAll(async () => {
    await rig?.stop();
    await broker?.stop();
  });

  async function rejected(promise: Promise<unknown>): Promise<ShadowRejectedError> {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ShadowRejectedError);
    return error as ShadowRejectedError;
  }

  it("creates a shadow at version 1 and echoes state, metadata and clientToken on accepted", async () => {
    const thing = newThing();
    const t = rig.clock.seconds;
    const accepted = await rig.shadow.update(thing, {
      state: { desired: { door: "locked", window: { front: 10 } } },
    }, { clientToken: "tok-1" });
    expect(accepted).toEqual({
      state: { desired: { door: "locked", window: { front: 10 } } },
      metadata: { desired: { door: { timestamp: t }, window: { front: { timestamp: t } } } },
      version: 1,
      timestamp: t,
      clientToken: "tok-1",
    });
  });

  it("answers get with desired, reported, the computed delta and per-leaf metadata", async () => {
    const thing = newThing();
    const t1 = rig.clock.seconds;
    await rig.shadow.update(thing, { state: { reported: { door: "open", trunk: "closed" } } });
    rig.clock.ms += 5000;
    const t2 = rig.clock.seconds;
    await rig.shadow.update(thing, { state: { desired: { door: "locked", trunk: "closed" } } });
    rig.clock.ms += 1000;

    const got = await rig.shadow.get(thing, { clientToken: "g" });
    expect(got).toEqual({
      state: {
        desired: { door: "locked", trunk: "closed" },
        reported: { door: "open", trunk: "closed" },
        delta: { door: "locked" },
      },
      metadata: {
        desired: { door: { timestamp: t2 }, trunk: { timestamp: t2 } },
        reported: { door: { timestamp: t1 }, trunk: { timestamp: t1 } },
      },
      version: 2,
      timestamp: t2 + 1,
      clientToken: "g",
    });
  });

  it("publishes on /delta only the differing desired leaves, nested keys apart, arrays whole", async () => {
    const thing = newThing();
    const prefix = `$aws/things/${thing}/shadow/update`;
    await rig.shadow.update(thing, {
      state: { reported: { window: { front: 0, rear: 0 }, seats: [1, 2], mirror: "in" } },
    });
    const t = rig.clock.seconds;
    await rig.shadow.update(thing, {
      state: { desired: { window: { front: 50, rear: 0 }, seats: [1, 3], extra: true } },
    }, { clientToken: "d1" });

    const delta = await rig.recorder.waitFor(`${prefix}/delta`, (b) => b.clientToken === "d1");
    expect(delta.body).toEqual({
      state: { window: { front: 50 }, seats: [1, 3], extra: true },
      metadata: {
        window: { front: { timestamp: t } },
        seats: [{ timestamp: t }, { timestamp: t }],
        extra: { timestamp: t },
      },
      version: 2,
      timestamp: t,
      clientToken: "d1",
    });
  });

  it("publishes no delta when reported already matches the desired keys of the update", async () => {
    const thing = newThing();
    const prefix = `$aws/things/${thing}/shadow/update`;
    await rig.shadow.update(thing, { state: { reported: { door: "locked" } } });
    await rig.shadow.update(thing, { state: { desired: { door: "locked" } } });
    // /documents is published after any /delta of the same update, on the same connection.
    await rig.recorder.waitFor(`${prefix}/documents`, (b) => version(b.current) === 2);
    expect(rig.recorder.on(`${prefix}/delta`)).toEqual([]);
  });

  it("announces a report that leaves desired unmet on /delta, with the desired value", async () => {
    const thing = newThing();
    const prefix = `$aws/things/${thing}/shadow/update`;
    await rig.shadow.update(thing, { state: { desired: { trunk: "open" } } });
    await rig.shadow.update(thing, { state: { reported: { trunk: "closed", speed: 3 } } });
    const delta = await rig.recorder.waitFor(`${prefix}/delta`, (b) => b.version === 2);
    expect(delta.body.state).toEqual({ trunk: "open" });
    await rig.shadow.update(thing, { state: { reported: { trunk: "open" } } });
    await rig.recorder.waitFor(`${prefix}/documents`, (b) => version(b.current) === 3);
    expect(rig.recorder.on(`${prefix}/delta`).map((m) => m.body.version)).toEqual([1, 2]);
  });

  it("publishes previous and current documents on /update/documents", async () => {
    const thing = newThing();
    const prefix = `$aws/things/${thing}/shadow/update`;
    const t = rig.clock.seconds;
    await rig.shadow.update(thing, { state: { reported: { speed: 1 } } });
    await rig.shadow.update(thing, { state: { reported: { speed: 2 } } }, { clientToken: "c" });
    const documents = await rig.recorder.waitFor(`${prefix}/documents`, (b) => b.clientToken === "c");
    expect(documents.body).toEqual({
      previous: {
        state: { reported: { speed: 1 } },
        metadata: { reported: { speed: { timestamp: t } } },
        version: 1,
      },
      current: {
        state: { reported: { speed: 2 } },
        metadata: { reported: { speed: { timestamp: t } } },
        version: 2,
      },
      timestamp: t,
      clientToken: "c",
    });
  });

  it("accepts an update only when its version equals the current one, else 409", async () => {
    const thing = newThing();
    await rig.shadow.update(thing, { state: { desired: { door: "locked" } } });
    const ok = await rig.shadow.update(thing, { state: { desired: { door: "open" } }, version: 1 });
    expect(ok.version).toBe(2);

    const error = await rejected(rig.shadow.update(thing, {
      state: { desired: { door: "locked" } },
      version: 1,
    }, { clientToken: "stale" }));
    expect([error.code, error.serviceMessage, error.clientToken]).toEqual([
      409, "Version conflict", "stale",
    ]);
    const rejectedTopic = `$aws/things/${thing}/shadow/update/rejected`;
    const published = await rig.recorder.waitFor(rejectedTopic, (b) => b.clientToken === "stale");
    expect(published.body).toEqual({
      code: 409, message: "Version conflict", timestamp: rig.clock.seconds, clientToken: "stale",
    });
    const after = await rig.shadow.get(thing);
    expect(after.version).toBe(2);
    expect(after.state).toMatchObject({ desired: { door: "open" } });
  });

  it("rejects malformed requests with AWS's 400 messages and leaves the shadow alone", async () => {
    const thing = newThing();
    const topic = `$aws/things/${thing}/shadow/update`;
    await rig.shadow.update(thing, { state: { desired: { a: 1 } } });
    const cases: [string, string][] = [
      ["{not json", "Invalid JSON"],
      ['{"clientToken":"x1"}', "Missing required node: state"],
      ['{"state":[1],"clientToken":"x2"}', "State node must be an object"],
      ['{"state":{"desired":5},"clientToken":"x3"}', "Desired node must be an object"],
      ['{"state":{"reported":"on"},"clientToken":"x4"}', "Reported node must be an object"],
      ['{"state":{"desired":{}},"version":"2","clientToken":"x5"}', "Invalid version"],
      ['{"state":{"desired":{}},"clientToken":7}', "Invalid clientToken"],
      ['{"state":{"delta":{"a":2}},"clientToken":"x6"}', "State contains an invalid node: 'delta'"],
      [
        '{"state":{"desired":{"a":{"b":{"c":{"d":{"e":{"f":{"g":1}}}}}}}},"clientToken":"x7"}',
        "JSON contains too many levels of nesting; maximum is 6",
      ],
    ];
    for (const [payload, message] of cases) {
      const mark = rig.recorder.messages.length;
      await rig.appClient.publishAsync(topic, payload, { qos: 1 });
      const answer = await rig.recorder.waitFor(`${topic}/rejected`,
        (b) => b.message === message && rig.recorder.messages.length > mark);
      expect(answer.body.code).toBe(400);
    }
    const after = await rig.shadow.get(thing);
    expect([after.version, after.state]).toEqual([1, { desired: { a: 1 }, delta: { a: 1 } }]);
  });

  it("accepts six levels of keys inside desired", async () => {
    const thing = newThing();
    const deep = { a: { b: { c: { d: { e: { f: 1 } } } } } };
    const accepted = await rig.shadow.update(thing, { state: { desired: deep } });
    expect(accepted.version).toBe(1);
  });

  it("refuses a state over 8 KB with 413, in the request or once merged", async () => {
    const thing = newThing();
    const tooBig = await rejected(rig.shadow.update(thing, {
      state: { reported: { blob: "x".repeat(8200) } },
    }));
    expect([tooBig.code, tooBig.serviceMessage]).toEqual([
      413, "The payload exceeds the maximum size allowed",
    ]);
    await rig.shadow.update(thing, { state: { reported: { a: "x".repeat(5000) } } });
    const merged = await rejected(rig.shadow.update(thing, {
      state: { reported: { b: "y".repeat(5000) } },
    }));
    expect(merged.code).toBe(413);
    expect((await rig.shadow.get(thing)).version).toBe(1);
  });

  it("answers get and delete of a missing shadow with 404", async () => {
    const thing = newThing();
    const getError = await rejected(rig.shadow.get(thing, { clientToken: "m" }));
    expect([getError.code, getError.serviceMessage, getError.clientToken]).toEqual([
      404, `No shadow exists with name: '${thing}'`, "m",
    ]);
    const deleteError = await rejected(rig.shadow.delete(thing, { shadowName: "cfg" }));
    expect([deleteError.code, deleteError.serviceMessage]).toEqual([
      404, "No shadow exists with name: 'cfg'",
    ]);
  });

  it("deletes a shadow; a later get is 404 and a re-created shadow continues the version", async () => {
    const thing = newThing();
    await rig.shadow.update(thing, { state: { reported: { a: 1 } } });
    await rig.shadow.update(thing, { state: { reported: { a: 2 } } });
    const deleted = await rig.shadow.delete(thing, { clientToken: "del" });
    expect(deleted).toEqual({ version: 2, timestamp: rig.clock.seconds, clientToken: "del" });
    expect((await rejected(rig.shadow.get(thing))).code).toBe(404);
    const again = await rig.shadow.update(thing, { state: { reported: { b: 1 } } });
    expect(again.version).toBe(3);
    expect((await rig.shadow.get(thing)).state).toEqual({ reported: { b: 1 } });
  });

  it("keeps named shadows apart from the classic shadow and from each other", async () => {
    const thing = newThing();
    await rig.shadow.update(thing, { state: { desired: { door: "locked" } } });
    await rig.shadow.update(thing, { state: { desired: { rate: 5 } } }, { shadowName: "telemetry" });
    await rig.shadow.update(thing, { state: { desired: { x: 1 } } }, { shadowName: "other" });
    const named = await rig.shadow.get(thing, { shadowName: "telemetry" });
    const classic = await rig.shadow.get(thing);
    expect(named.state).toEqual({ desired: { rate: 5 }, delta: { rate: 5 } });
    expect(named.version).toBe(1);
    expect(classic.state).toEqual({ desired: { door: "locked" }, delta: { door: "locked" } });
    const topic = `$aws/things/${thing}/shadow/name/telemetry/update/delta`;
    expect((await rig.recorder.waitFor(topic)).body.state).toEqual({ rate: 5 });
  });

  it("serves any thing name under the wildcard filter", async () => {
    for (const thing of ["Rig_7:bench-A", "wagen-ü", "x.y"]) {
      const accepted = await rig.shadow.update(thing, { state: { reported: { on: true } } });
      expect(accepted.version).toBeGreaterThanOrEqual(1);
      expect((await rig.shadow.get(thing)).state).toMatchObject({ reported: { on: true } });
    }
  });

  it("reports a message on a topic of another form under the filter and answers nothing", async () => {
    const thing = newThing();
    const ignored = once(rig.service, "ignored");
    await rig.appClient.publishAsync(`$aws/things/${thing}/shadow/bogus`, "{}", { qos: 1 });
    expect(await ignored).toEqual([`$aws/things/${thing}/shadow/bogus`]);
    // The service answers in arrival order: once the get is rejected, any answer to the bogus
    // message would already have been published.
    await rejected(rig.shadow.get(thing));
    await rig.recorder.waitFor(`$aws/things/${thing}/shadow/get/rejected`);
    const topics = rig.recorder.messages.filter((m) => m.topic.includes(`/${thing}/`))
      .map((m) => m.topic);
    expect(topics.filter((topic) => topic !== `$aws/things/${thing}/shadow/get`)).toEqual([
      `$aws/things/${thing}/shadow/bogus`,
      `$aws/things/${thing}/shadow/get/rejected`,
    ]);
  });
});

function version(document: unknown): unknown {
  return (document as { version?: unknown } | undefined)?.version;
}
