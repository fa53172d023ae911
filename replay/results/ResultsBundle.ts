import { mkdir, readdir, stat, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { makeDirectory } from "../../drivers/fs/makeDirectory.js";
import type { RunReport } from "./RunReport.js";

export interface BundleFile {
  /** Name inside the bundle (the object key below the run's prefix). */
  readonly name: string;
  readonly path: string;
  readonly bytes: number;
}

/**
 * A run's results on disk, one folder per run: the capture, `report.json` and `run.log`. A
 * capture written elsewhere (`--capture-file`) joins the bundle by reference, not by copy.
 */
export class ResultsBundle {
  private readonly external: string[] = [];

  private constructor(
    readonly dir: string,
    readonly runId: string,
  ) {}

  /** Creates `<parent>/<runId>/`; refuses a folder that already exists. */
  static async create(parent: string, runId: string): Promise<ResultsBundle> {
    const dir = join(parent, runId);
    await makeDirectory(parent);
    await mkdir(dir);
    return new ResultsBundle(dir, runId);
  }

  get logPath(): string {
    return join(this.dir, "run.log");
  }

  get reportPath(): string {
    return join(this.dir, "report.json");
  }

  /** Where a file called `name` goes inside the bundle folder. */
  pathOf(name: string): string {
    return join(this.dir, name);
  }

  /** Adds a file kept outside the bundle folder, under its own name. */
  include(path: string): void {
    this.external.push(path);
  }

  async writeReport(report: RunReport): Promise<void> {
    await writeFile(this.reportPath, `${JSON.stringify(report, null, 2)}\n`);
  }

  /** Every file of the bundle, the report last (it is what marks a bundle complete). */
  async files(): Promise<BundleFile[]> {
    const inside = (await readdir(this.dir)).sort().map((name) => join(this.dir, name));
    const all = [...inside, ...this.external];
    const files = await Promise.all(all.map(async (path) => ({
      name: basename(path),
      path,
      bytes: (await stat(path)).size,
    })));
    const isReport = (f: BundleFile) => f.path === this.reportPath;
    return [...files.filter((f) => !isReport(f)), ...files.filter(isReport)];
  }
}
