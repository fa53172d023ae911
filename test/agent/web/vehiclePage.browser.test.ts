import { connectAsync } from "mqtt";
import type { MqttClient } from "mqtt";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, roadrig } from "../../cli/cliHarness.js";
import { AgentProcess } from "./support/AgentProcess.js";
import { screenshot, VehiclePageBrowser } from "./support/VehiclePageBrowser.js";

const UPDATE = "$aws/things/roadrig-sample/shadow/update";

// The browser's globals that the checks below read inside the page. Declared here, for this
// module only, so that the project's Node code is type-checked without the DOM library.
declare const document: {
  activeElement: { getAttribute(name: string): string | null } | null;
  documentElement: { scrollWidth: number; clientWidth: number };
};
declare function getComputedStyle(element: unknown): { outlineStyle: string };

/** The controls of one field, found as a user finds them: by their names. */
function field(page: Page, name: string): { card: Locator; button(value: string): Locator } {
  const card = page.locator("section.field").filter({ has: page.getByRole("heading", { name }) });
  return {
    card,
    button: (value) => page.getByRole("group", { name }).getByRole("button", { name: value,
      exact: true }),
  };
}

function reported(page: Page, key: string): Locator {
  return page.locator(`#${key}-reported`);
}

describe("the vehicle page of roadrig agent (embedded default) in chromium", () => {
  let agent: AgentProcess;
  let browser: VehiclePageBrowser;
  let page: Page;

  beforeAll(async () => {
    buildCli();
    [agent, browser] = await Promise.all([AgentProcess.start(), VehiclePageBrowser.launch()]);
    page = await browser.open(agent.pageUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
  });

  it("shows the reported state of every field and the broker it is connected to", async () => {
    await expect.poll(() => page.locator("#connection").textContent())
      .toBe(`Connected to ${agent.pageUrl.replace("http", "ws")}mqtt`);
    await reported(page, "door").filter({ hasText: "closed" }).waitFor();
    expect(await reported(page, "lock").textContent()).toMatch(/^(locked|unlocked)$/);
    expect(await reported(page, "windowFL").textContent()).toBe("0 % open");
    expect(await page.locator("#part-door").getAttribute("data-state")).toBe("closed");
    await screenshot(page, "initial");
  });

  it("sets desired on a click and draws the door open once the ECU confirmed it", async () => {
    await field(page, "Door, front left").button("open").click();
    await reported(page, "door").filter({ hasText: "open" }).waitFor();
    await page.locator("#part-door[data-state='open'][data-pending='false']").waitFor();
    await expect.poll(() => field(page, "Door, front left").button("open")
      .getAttribute("aria-pressed")).toBe("true");
    await expect.poll(() => page.locator("#door-pending").isHidden()).toBe(true);
    await screenshot(page, "door-open");
  });

  it("shows a change made on the vehicle side without a reload", async () => {
    await agent.simulate({ door: "closed", windowFR: 40 });
    await reported(page, "door").filter({ hasText: "closed" }).waitFor();
    await reported(page, "windowFR").filter({ hasText: "40 % open" }).waitFor();
    expect(Number(await page.locator("#part-windowFR .window-open").getAttribute("height")))
      .toBe(24);
    await screenshot(page, "door-closed-on-the-vehicle");
  });

  it("keeps two open pages in step", async () => {
    const other = await browser.open(agent.pageUrl);
    await field(other, "Trunk").button("open").click();
    await Promise.all([page, other].map((p) =>
      p.locator("#part-trunk[data-state='open']").waitFor()));
    await field(page, "Trunk").button("closed").click();
    await Promise.all([page, other].map((p) =>
      p.locator("#part-trunk[data-state='closed']").waitFor()));
    await screenshot(page, "two-pages-first");
    await screenshot(other, "two-pages-second");
    await other.context().close();
  });

  it("shows the interlock's reason when opening is refused above the speed limit", async () => {
    await agent.simulate({ speed: 12 });
    await field(page, "Trunk").button("open").click();
    const error = page.locator("#trunk-error");
    await error.filter({ hasText: "interlock" }).waitFor();
    expect(await error.textContent()).toBe(
      "Refused open (interlock): vehicle speed 12 is above 3: opening refused");
    expect(await reported(page, "trunk").textContent()).toBe("closed");
    await expect.poll(() => page.locator("#announcer").textContent()).toContain("refused");
    await screenshot(page, "refused-interlock");

    await agent.simulate({ speed: 0 });
    await field(page, "Trunk").button("open").click();
    await reported(page, "trunk").filter({ hasText: "open" }).waitFor();
    await expect.poll(() => error.isHidden()).toBe(true);
  });

  it("shows the pending value while the ECU is silent, then the timeout", async () => {
    await agent.simulate({ respond: false });
    try {
      await field(page, "Central lock").button("locked").click();
      const pending = page.locator("#lock-pending");
      await pending.filter({ hasText: "Pending: locked" }).waitFor();
      expect(await page.locator("#part-lock").getAttribute("data-pending")).toBe("true");
      await screenshot(page, "pending");
      await page.locator("#lock-error").filter({ hasText: "(timeout)" }).waitFor();
      expect(await pending.isHidden()).toBe(true);
      await screenshot(page, "refused-timeout");
    } finally {
      await agent.simulate({ respond: true });
    }
  });

  it("shows why a value another app set was refused as invalid", async () => {
    const app: MqttClient = await connectAsync(agent.brokerUrl, { reconnectPeriod: 0 });
    try {
      await app.publishAsync(UPDATE, JSON.stringify({ state: { desired: { windowFL: 150 } } }),
        { qos: 1 });
      await page.locator("#windowFL-error").filter({ hasText: "(invalid)" }).waitFor();
      expect(await page.locator("#windowFL-error").textContent())
        .toBe("Refused 150 % open (invalid): expected 0–100, found 150");
      await screenshot(page, "refused-invalid");
    } finally {
      await app.endAsync();
    }
  });

  it("is operable with the keyboard alone, focus visible", async () => {
    await page.reload();
    await page.locator("#connection[data-state='connected']").waitFor();
    const openButton = field(page, "Door, front left").button("open");
    // Tab from the top of the page to the door's first button.
    for (let presses = 0; presses < 10; presses++) {
      await page.keyboard.press("Tab");
      if (await openButton.evaluate((el) => el === document.activeElement)) break;
    }
    expect(await openButton.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await openButton.evaluate((el) => getComputedStyle(el).outlineStyle)).toBe("solid");
    await page.keyboard.press("Enter");
    await reported(page, "door").filter({ hasText: "open" }).waitFor();
    await page.keyboard.press("Tab");
    await page.keyboard.press("Space");
    await reported(page, "door").filter({ hasText: "closed" }).waitFor();

    await page.locator("#windowFL-target").focus();
    for (let step = 0; step < 5; step++) await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")))
      .toBe("Set Window, front left");
    await screenshot(page, "keyboard-focus");
    await page.keyboard.press("Enter");
    await reported(page, "windowFL").filter({ hasText: "25 % open" }).waitFor();
  });

  it("fits a phone-sized screen: no sideways scrolling, drawing above the controls", async () => {
    const phone = await browser.open(agent.pageUrl, { viewport: { width: 390, height: 844 },
      isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const overflow = await phone.evaluate(() =>
      document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBe(0);
    const drawing = (await phone.locator("#drawing").boundingBox())!;
    const controls = (await phone.locator("#controls").boundingBox())!;
    expect(drawing.width).toBeLessThanOrEqual(390);
    expect(controls.y).toBeGreaterThanOrEqual(drawing.y + drawing.height);
    await field(phone, "Trunk").button("closed").tap();
    await reported(phone, "trunk").filter({ hasText: "closed" }).waitFor();
    await screenshot(phone, "phone");
    await phone.context().close();
  });

  it("refuses a --web-port that is not a port (exit 2)", async () => {
    const run = await roadrig(["agent", "--port", "0", "--web-port", "80a"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--web-port: expected a port number, found '80a'");
  });

  it("says so when the broker goes away", async () => {
    await agent.stop();
    await page.locator("#connection:not([data-state='connected'])").waitFor();
    expect(await page.locator("#connection").textContent()).toMatch(/^(Offline|Connecting)/);
    expect(await field(page, "Trunk").button("open").isDisabled()).toBe(true);
    await screenshot(page, "disconnected");
  });
});
