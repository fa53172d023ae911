import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { chromium } from "playwright-core";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { repoRoot } from "../../../support/sharedData.js";

/** Where the browser suites leave a screenshot of each state they reach. */
export const SCREENSHOT_DIR = join(repoRoot, ".test-out", "vehicle-page");

/** Debian's `chromium` (CI installs it), found on PATH as a shell would; `CHROMIUM` overrides. */
export function chromiumPath(): string {
  const override = process.env.CHROMIUM;
  if (override !== undefined) return override;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    for (const name of ["chromium", "chromium-browser"]) {
      if (dir !== "" && existsSync(join(dir, name))) return join(dir, name);
    }
  }
  throw new Error("chromium not found on PATH: apt-get install chromium (see .ci/run)");
}

/**
 * One headless chromium per test file (it is the heaviest thing the suites start); each page
 * gets a context of its own, so that two pages are two independent apps.
 */
export class VehiclePageBrowser {
  readonly #contexts: BrowserContext[] = [];

  private constructor(private readonly browser: Browser) {}

  static async launch(): Promise<VehiclePageBrowser> {
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true });
    return new VehiclePageBrowser(browser);
  }

  /** Opens the page and waits until it says it is connected to the broker. */
  async open(url: string, options: BrowserContextOptions = {}): Promise<Page> {
    const context = await this.browser.newContext({ viewport: { width: 1200, height: 860 },
      reducedMotion: "reduce", ...options });
    this.#contexts.push(context);
    const page = await context.newPage();
    await page.goto(url);
    await page.locator("#connection[data-state='connected']").waitFor();
    return page;
  }

  async close(): Promise<void> {
    for (const context of this.#contexts) await context.close();
    await this.browser.close();
  }
}

/** Writes `<state>.png` into the screenshot folder. */
export async function screenshot(page: Page, state: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${state}.png`), fullPage: true });
}
