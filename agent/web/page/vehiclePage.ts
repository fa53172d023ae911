import type mqtt from "mqtt";
import type { PageSettings } from "../PageSettings.js";
import { FieldControls } from "./FieldControls.js";
import { fieldName, showValue } from "./fieldNames.js";
import { ShadowConnection } from "./ShadowConnection.js";
import type { ConnectionState } from "./ShadowConnection.js";
import { EMPTY_VIEW, fieldView } from "./shadowState.js";
import type { FieldView, ShadowView } from "./shadowState.js";
import { VehicleDrawing } from "./VehicleDrawing.js";

/** The page's entry: reads settings.json, builds the controls and connects to the broker. */
async function main(): Promise<void> {
  const settings = (await (await fetch("settings.json")).json()) as PageSettings;
  // mqtt.js's own browser bundle, served from its package by the page's server.
  const bundle = new URL("../vendor/mqtt.esm.js", import.meta.url).href;
  const library = ((await import(bundle)) as { default: typeof mqtt }).default;
  const url = settings.brokerUrl ??
    `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/mqtt`;

  byId("thing").textContent = settings.shadowName === undefined
    ? settings.thing
    : `${settings.thing} · ${settings.shadowName}`;
  const controls = Object.entries(settings.fields).map(([field, spec]) =>
    new FieldControls(field, spec, settings.maxSpeed, (f, v) => connection.setDesired(f, v)));
  byId("fields").append(...controls.map((c) => c.element));
  const drawing = new VehicleDrawing(byId("drawing") as unknown as SVGSVGElement, byId("summary"));

  let view: ShadowView = EMPTY_VIEW;
  let connected = false;
  let previous = new Map<string, FieldView>();
  const render = (): void => {
    const views = new Map(controls.map((c) => [c.field, fieldView(view, c.field)]));
    for (const control of controls) control.update(views.get(control.field)!, connected);
    drawing.update(new Map(controls.map((c) =>
      [c.field, { spec: settings.fields[c.field]!, view: views.get(c.field)! }])));
    byId("shadow-version").textContent = `Shadow version ${view.version}.`;
    announce(previous, views);
    previous = views;
  };

  const connection = new ShadowConnection(library, url, settings, {
    view: (next) => {
      view = next;
      byId("request-error").hidden = true;
      render();
    },
    state: (state, detail) => {
      connected = state === "connected";
      showConnection(state, detail);
      render();
    },
    rejected: (message) => {
      const line = byId("request-error");
      line.textContent = `The shadow refused the request: ${message}`;
      line.hidden = false;
    },
  });
  render();
  connection.connect();
}

const CONNECTION_TEXT: Readonly<Record<ConnectionState, string>> = {
  connecting: "Connecting to",
  connected: "Connected to",
  offline: "Offline, reconnecting to",
};

function showConnection(state: ConnectionState, detail: string): void {
  const line = byId("connection");
  line.dataset.state = state;
  line.textContent = `${CONNECTION_TEXT[state]} ${detail}`;
}

/** Tells a screen reader what changed: a reported state, or a new refusal. */
function announce(before: Map<string, FieldView>, after: Map<string, FieldView>): void {
  if (before.size === 0) return;
  const news: string[] = [];
  for (const [field, now] of after) {
    const was = before.get(field);
    if (was?.reported !== now.reported && now.reported !== undefined) {
      news.push(`${fieldName(field)} is ${showValue(now.reported)}.`);
    }
    if (now.error !== undefined && was?.error?.reason !== now.error.reason) {
      news.push(`${fieldName(field)}: refused, ${now.error.reason}.`);
    }
  }
  if (news.length > 0) byId("announcer").textContent = news.join(" ");
}

function byId(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no #${id}`);
  return element;
}

main().catch((error: unknown) => {
  const line = byId("connection");
  line.dataset.state = "offline";
  line.textContent = `The page could not start: ${(error as Error).message}`;
});
