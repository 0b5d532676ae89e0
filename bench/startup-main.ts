/**
 * `pnpm bench:startup`: only the start-up rows (bench/startup.ts). Generates
 * the fixtures when the demo image is missing, prints the section and
 * rewrites only its own section of bench/RESULTS.md, appending it when
 * absent. BENCH_STARTUP_ROUNDS (default 21) rounds.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { STARTUP_HEADING, startupSection } from "./startup.js";

const repo = fileURLToPath(new URL("..", import.meta.url));
const rounds = Math.max(3, Number(process.env["BENCH_STARTUP_ROUNDS"] ?? 21));
const log = (m: string): void => void process.stderr.write(`[bench:startup] ${m}\n`);

if (!existsSync(path.join(repo, "fixtures/out/demo.oci.tar"))) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "fixtures/generate.ts"], { cwd: repo, stdio: "inherit" });
  if (r.status !== 0) throw new Error("fixtures/generate.ts failed");
}
const loadStart = os.loadavg().map((x) => x.toFixed(2)).join(" ");
const section = await startupSection(repo, rounds, log);
const loadEnd = os.loadavg().map((x) => x.toFixed(2)).join(" ");
const stamped = section.replace(
  "\n\n",
  `\n\nWritten by \`pnpm bench:startup\` (bench/startup-main.ts) on ${new Date().toISOString()}, node ${process.version}, ${os.availableParallelism()} cores; load average ${loadStart} at start, ${loadEnd} at end.\n\n`,
);
const results = path.join(repo, "bench/RESULTS.md");
const old = existsSync(results) ? await readFile(results, "utf8") : "# layerlint benchmark results\n";
const at = old.indexOf(`${STARTUP_HEADING}\n`);
let next: string;
if (at < 0) next = `${old.trimEnd()}\n\n${stamped}`;
else {
  const end = old.indexOf("\n## ", at + STARTUP_HEADING.length);
  next = `${old.slice(0, at)}${stamped}${end < 0 ? "" : `\n${old.slice(end + 1)}`}`;
}
await writeFile(results, next.endsWith("\n") ? next : `${next}\n`);
console.log(stamped);
log("wrote its section of bench/RESULTS.md");
