import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_READY_TIMEOUT_MS, DEFAULT_SHUTDOWN_TIMEOUT_MS,
} from "../../agent/service/AgentService.js";
import { repoRoot } from "../support/sharedData.js";

const UNIT = join(repoRoot, "deploy", "systemd", "roadrig-agent.service");

/** The unit's [Service] settings; a key set twice keeps every value. */
function serviceSettings(text: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("[")) section = line;
    if (section !== "[Service]" || line.startsWith("#") || !line.includes("=")) continue;
    const [key, ...value] = line.split("=");
    settings.set(key!, [...(settings.get(key!) ?? []), value.join("=")]);
  }
  return settings;
}

function seconds(value: string): number {
  const match = /^(\d+)(s|min)?$/.exec(value);
  if (!match) throw new Error(`not a time span this test reads: ${value}`);
  return Number(match[1]) * (match[2] === "min" ? 60 : 1);
}

describe("deploy/systemd/roadrig-agent.service", () => {
  let settings: Map<string, string[]>;
  beforeAll(async () => {
    settings = serviceSettings(await readFile(UNIT, "utf8"));
  });
  const one = (key: string) => settings.get(key)?.[0];

  it("passes systemd-analyze verify", () => {
    const verify = spawnSync("systemd-analyze", ["verify", UNIT], { encoding: "utf8" });
    expect(verify.stderr.split("\n").filter((l) => l.includes("roadrig-agent"))).toEqual([]);
    expect(verify.status, verify.stderr).toBe(0);
  });

  it("is a notify service with a watchdog, restarted on failure, reloaded by SIGHUP", () => {
    expect(one("Type")).toBe("notify");
    expect(one("NotifyAccess")).toBe("main");
    expect(seconds(one("WatchdogSec")!)).toBeGreaterThan(0);
    expect(one("Restart")).toBe("on-failure");
    expect(one("ExecReload")).toBe("/bin/kill -HUP $MAINPID");
    expect(one("ExecStart")).toMatch(/roadrig\.js agent --config \/etc\/roadrig\/agent\.yaml$/);
  });

  it("waits for READY=1 longer than the agent's bounded wait for an absent broker", () => {
    const start = seconds(one("TimeoutStartSec")!) * 1000;
    expect(start).toBeGreaterThan(DEFAULT_READY_TIMEOUT_MS);
    // A vehicle starting out of coverage must not spend minutes in "activating".
    expect(start).toBeLessThanOrEqual(2 * 60_000);
  });

  it("lets the agent end its own shutdown: TimeoutStopSec above shutdownTimeoutMs", () => {
    expect(seconds(one("TimeoutStopSec")!) * 1000).toBeGreaterThan(DEFAULT_SHUTDOWN_TIMEOUT_MS);
  });

  it("is hardened, with AF_CAN allowed and no MemoryDenyWriteExecute", () => {
    expect(one("ProtectSystem")).toBe("strict");
    expect(one("NoNewPrivileges")).toBe("yes");
    expect(one("CapabilityBoundingSet")).toBe("");
    expect(one("RestrictAddressFamilies")!.split(" ").sort())
      .toEqual(["AF_CAN", "AF_INET", "AF_INET6", "AF_NETLINK", "AF_UNIX"]);
    expect(one("StateDirectory")).toBe("roadrig");
    expect(one("CacheDirectory")).toBe("roadrig");
    expect(settings.has("MemoryDenyWriteExecute")).toBe(false);
    expect(settings.has("ReadWritePaths")).toBe(false);
  });

  it("rates an exposure of 2.0 or less in systemd-analyze security", () => {
    const security = spawnSync("systemd-analyze", ["security", "--offline=true", UNIT],
      { encoding: "utf8" });
    const match = /Overall exposure level for roadrig-agent\.service: (\d+\.\d)/
      .exec(security.stdout);
    expect(match, security.stdout + security.stderr).not.toBeNull();
    expect(Number(match![1])).toBeLessThanOrEqual(2.0);
  });
});
