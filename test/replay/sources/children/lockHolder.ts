// Run in a child process by the lock tests: takes a lock, says so, and holds it until killed.
import { DirLock } from "../../../../replay/sources/DirLock.js";

const lock = await DirLock.acquire(process.argv[2] ?? "", { staleMs: 60_000 });
process.stdout.write(`locked ${lock.owner.pid}\n`);
setInterval(() => undefined, 1 << 30);
