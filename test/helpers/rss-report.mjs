// Preloaded (node --import) into a child whose peak RSS a resource test
// measures: at exit, writes {"maxRssKiB": N} to fd 3, which the parent
// opened as a pipe. process.resourceUsage().maxRSS is the whole process's
// peak (every thread), in KiB. Worker threads load this too; they stay quiet.
import { writeSync } from "node:fs";
import { isMainThread } from "node:worker_threads";

if (isMainThread) {
  process.on("exit", () => {
    try {
      writeSync(3, JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS }));
    } catch {
      // fd 3 is not ours: nothing to report to
    }
  });
}
