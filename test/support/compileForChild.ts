import { mkdtempSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import ts from "typescript";
import { repoRoot } from "./sharedData.js";

/**
 * Transpiles the given source folders (relative to the repository) to plain ESM in a temporary
 * directory, so that tests can run parts of roadrig in child processes (several processes
 * sharing a cache, a process killed while it holds a lock). Returns the output root; a file
 * `a/b.ts` becomes `<root>/a/b.js`.
 */
export function compileForChild(folders: string[]): string {
  const out = mkdtempSync(join(tmpdir(), "roadrig-child-"));
  for (const folder of folders) {
    for (const file of tsFiles(join(repoRoot, folder))) {
      const source = readFileSync(file, "utf8");
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: {
          module: ts.ModuleKind.ESNext,
          target: ts.ScriptTarget.ES2022,
          verbatimModuleSyntax: false,
        },
        fileName: file,
      });
      const target = join(out, relative(repoRoot, file)).replace(/\.ts$/, ".js");
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, outputText);
    }
  }
  writeFileSync(join(out, "package.json"), JSON.stringify({ type: "module" }));
  symlinkSync(join(repoRoot, "node_modules"), join(out, "node_modules"), "dir");
  return out;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") && !e.name.endsWith(".test.ts")
      ? [path] : [];
  });
}
