import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** Where the server finds what it serves. */
export interface PageAssets {
  /** index.html and vehicle.css, kept as written in agent/web/page/. */
  readonly staticDir: string;
  /** The page's scripts as tsc compiled them into dist/agent/web/page/. */
  readonly scriptDir: string;
  /** mqtt.js's browser bundle, from its package. */
  readonly mqttBundle: string;
}

/**
 * tsc compiles the page's TypeScript beside the server in dist/ but leaves the HTML and CSS in
 * the sources: each is looked for beside this module first, then across the source/dist divide
 * (the server runs from dist in the CLI and from the sources under vitest).
 */
export function pageAssets(): PageAssets {
  const besideStatic = fileURLToPath(new URL("page/", import.meta.url));
  const staticDir = existsSync(`${besideStatic}index.html`)
    ? besideStatic
    : fileURLToPath(new URL("../../../agent/web/page/", import.meta.url));
  const scriptDir = existsSync(`${besideStatic}vehiclePage.js`)
    ? besideStatic
    : fileURLToPath(new URL("../../dist/agent/web/page/", import.meta.url));
  const mqttBundle = createRequire(import.meta.url).resolve("mqtt/dist/mqtt.esm");
  return { staticDir, scriptDir, mqttBundle };
}
