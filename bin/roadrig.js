#!/usr/bin/env node
import { prestart } from "../dist/cli/prestart.js";
import { tuneV8 } from "../dist/cli/tuneV8.js";

// Before anything runs hot, and before the read worker starts (it shares the settings).
tuneV8();
// What the command needs first (a replay's read worker) starts before the CLI's modules load.
prestart(process.argv);
await import("../dist/cli/main.js");
