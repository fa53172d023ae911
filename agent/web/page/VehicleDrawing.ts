import type { PageField } from "../PageSettings.js";
import { fieldName, showValue } from "./fieldNames.js";
import type { FieldView } from "./shadowState.js";

/** Height of a window's frame in the drawing: the open part grows to it at 100 %. */
const WINDOW_HEIGHT = 60;

/**
 * The vehicle seen from above, each controlled part drawn in its reported state (and outlined
 * while a desired value is pending). Parts the drawing has no shape for are only in the summary.
 */
export class VehicleDrawing {
  constructor(
    private readonly svg: SVGSVGElement,
    private readonly summary: HTMLElement,
  ) {}

  update(views: ReadonlyMap<string, { spec: PageField; view: FieldView }>): void {
    const parts: string[] = [];
    for (const [field, { spec, view }] of views) {
      parts.push(`${fieldName(field)}: ${showValue(view.reported)}`);
      const part = this.svg.querySelector<SVGElement>(`#part-${field}`);
      if (part === null) continue;
      part.dataset.pending = String(view.pending !== undefined);
      if (spec.kind === "position") this.#window(part, spec, view.reported);
      else part.dataset.state = typeof view.reported === "string" ? view.reported : "unknown";
      const label = this.svg.querySelector(`#label-${field}`);
      if (label !== null) label.textContent = showValue(view.reported);
    }
    this.summary.textContent = parts.join(" · ");
  }

  #window(
    part: SVGElement,
    spec: Extract<PageField, { kind: "position" }>,
    reported: unknown,
  ): void {
    const value = typeof reported === "number" ? reported : spec.min;
    const share = Math.min(1, Math.max(0, (value - spec.min) / (spec.max - spec.min)));
    part.querySelector(".window-open")?.setAttribute("height", String(share * WINDOW_HEIGHT));
    part.dataset.state = typeof reported === "number" ? String(reported) : "unknown";
  }
}
