import type { PageField } from "../PageSettings.js";
import { fieldName, showValue } from "./fieldNames.js";
import type { FieldView, Json } from "./shadowState.js";

/**
 * One field's card: its reported state, the pending desired value, the agent's refusal, and the
 * controls that set desired (a button per value, or a slider and a Set button for a position).
 */
export class FieldControls {
  readonly element: HTMLElement;
  readonly #reported: HTMLOutputElement;
  readonly #pending: HTMLParagraphElement;
  readonly #error: HTMLParagraphElement;
  readonly #buttons: HTMLButtonElement[] = [];
  #slider: HTMLInputElement | undefined;
  #sliderTouched = false;

  constructor(
    readonly field: string,
    private readonly spec: PageField,
    maxSpeed: number,
    private readonly onDesired: (field: string, value: Json) => void,
  ) {
    const section = el("section", { class: "field", "data-field": field });
    const heading = el("h3", { id: `${field}-name` }, fieldName(field));
    const reportedLine = el("p", { class: "reported" }, "Reported: ");
    this.#reported = el("output", { id: `${field}-reported` });
    reportedLine.append(this.#reported);
    this.#pending = el("p", { class: "pending", id: `${field}-pending`, hidden: "" });
    this.#error = el("p", { class: "error", id: `${field}-error`, hidden: "" });
    section.append(heading, reportedLine, this.#pending, this.#error);
    section.append(spec.kind === "enum" ? this.#choices(spec.values) : this.#position(spec));
    if (spec.kind === "enum" ? spec.opening.length > 0 : field.startsWith("window")) {
      section.append(el("p", { class: "hint" }, `Opening is refused above speed ${maxSpeed}.`));
    }
    this.element = section;
  }

  update(view: FieldView, connected: boolean): void {
    this.#reported.value = showValue(view.reported);
    this.element.dataset.pending = String(view.pending !== undefined);
    this.element.dataset.error = String(view.error !== undefined);
    setText(this.#pending, view.pending === undefined
      ? undefined
      : `Pending: ${showValue(view.pending)}, waiting for the vehicle`);
    setText(this.#error, view.error === undefined
      ? undefined
      : `Refused ${showValue(view.error.desired)} (${view.error.code}): ${view.error.reason}`);
    for (const button of this.#buttons) {
      button.setAttribute("aria-pressed", String(button.value === view.reported));
      button.disabled = !connected;
    }
    const slider = this.#slider;
    if (slider !== undefined) {
      if (!this.#sliderTouched && typeof view.reported === "number") {
        slider.value = String(view.reported);
        slider.nextElementSibling!.textContent = `${view.reported} %`;
      }
      for (const control of slider.parentElement!.querySelectorAll("button, input")) {
        (control as HTMLButtonElement | HTMLInputElement).disabled = !connected;
      }
    }
  }

  #choices(values: readonly string[]): HTMLElement {
    const group = el("div", { class: "choices", role: "group",
      "aria-labelledby": `${this.field}-name` });
    for (const value of values) {
      const button = el("button", { type: "button", value, "aria-pressed": "false" }, value);
      button.addEventListener("click", () => this.onDesired(this.field, value));
      this.#buttons.push(button);
      group.append(button);
    }
    return group;
  }

  #position(spec: Extract<PageField, { kind: "position" }>): HTMLElement {
    const box = el("div", { class: "position" });
    const id = `${this.field}-target`;
    const label = el("label", { for: id }, `${fieldName(this.field)}: target, % open`);
    const slider = el("input", { id, type: "range", min: String(spec.min),
      max: String(spec.max), step: "5", value: String(spec.min) });
    const shown = el("output", { for: id }, `${spec.min} %`);
    const set = el("button", { type: "button" }, "Set");
    set.setAttribute("aria-label", `Set ${fieldName(this.field)}`);
    slider.addEventListener("input", () => {
      this.#sliderTouched = true;
      shown.textContent = `${slider.value} %`;
    });
    set.addEventListener("click", () => {
      this.#sliderTouched = false;
      this.onDesired(this.field, Number(slider.value));
    });
    this.#slider = slider;
    box.append(label, slider, shown, set);
    return box;
  }
}

function setText(element: HTMLElement, text: string | undefined): void {
  element.hidden = text === undefined;
  element.textContent = text ?? "";
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string>> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  if (text !== undefined) element.textContent = text;
  return element;
}
