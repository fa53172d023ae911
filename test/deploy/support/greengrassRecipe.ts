import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { repoRoot } from "../../support/sharedData.js";

export interface LifecycleStep {
  readonly Script: string;
  readonly RequiresPrivilege?: boolean;
  readonly Timeout?: number;
}

export interface Recipe {
  readonly RecipeFormatVersion: string;
  readonly ComponentName: string;
  readonly ComponentVersion: string;
  readonly ComponentConfiguration: { readonly DefaultConfiguration: Record<string, unknown> };
  readonly Manifests: readonly {
    readonly Platform: { readonly os: string };
    readonly Lifecycle: {
      readonly Setenv: Record<string, string>;
      readonly Install: LifecycleStep;
      readonly Run: LifecycleStep;
    };
    readonly Artifacts: readonly { readonly URI: string; readonly Unarchive: string }[];
  }[];
}

export async function readRecipe(): Promise<Recipe> {
  return parse(await readFile(join(repoRoot, "deploy/greengrass/recipe.yaml"), "utf8")) as Recipe;
}

/** What the nucleus knows when it interpolates a recipe on a core device. */
export interface RecipeContext {
  readonly decompressedPath: string;
  readonly thingName: string;
  /** The component's configuration: DefaultConfiguration with the deployment's merge. */
  readonly configuration: Record<string, unknown>;
}

const PLACEHOLDER = /\{(artifacts|configuration|iot):([^}]+)\}/g;

/**
 * Replaces recipe variables the way the nucleus does: `{artifacts:decompressedPath}`,
 * `{iot:thingName}`, and `{configuration:/json/pointer}` (a non-string value as its JSON).
 * Any other variable is refused, so that the test notices one the recipe starts to use.
 */
export function interpolate(text: string, context: RecipeContext): string {
  const left = text.replace(PLACEHOLDER, (whole, kind: string, key: string) => {
    if (kind === "artifacts" && key === "decompressedPath") return context.decompressedPath;
    if (kind === "iot" && key === "thingName") return context.thingName;
    if (kind === "configuration") {
      const value = pointer(context.configuration, key);
      if (value === undefined) throw new Error(`${whole}: no such configuration key`);
      return typeof value === "string" ? value : JSON.stringify(value);
    }
    throw new Error(`${whole}: not a variable this test knows`);
  });
  const unknown = /\{[a-z]+:[^}]+\}/.exec(left);
  if (unknown) throw new Error(`${unknown[0]}: not a variable this test knows`);
  return left;
}

function pointer(root: Record<string, unknown>, path: string): unknown {
  let at: unknown = root;
  for (const key of path.split("/").slice(1)) {
    if (typeof at !== "object" || at === null) return undefined;
    at = (at as Record<string, unknown>)[key.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return at;
}

/** Every `{configuration:/key}` the recipe's lifecycle refers to. */
export function configurationKeys(recipe: Recipe): string[] {
  const text = JSON.stringify(recipe.Manifests.map((m) => m.Lifecycle));
  return [...new Set([...text.matchAll(/\{configuration:\/([^}/]+)\}/g)].map((m) => m[1]!))];
}
