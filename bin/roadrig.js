#!/usr/bin/env node
import { prestart } from "../dist/cli/prestart.js";

// What the command needs first (a replay's read worker) starts before the CLI's modules load.
prestart(process.argv);
await import("../dist/cli/main.js");
