/**
 * `pnpm bench:streamed`: only the streamed-archive measurements
 * (bench/streamed.ts). Reuses the cached benchmark image (generated first
 * when missing) and rewrites only its own section of bench/RESULTS.md,
 * appending it when absent. BENCH_RUNS (default 3) runs per measurement.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cacheRoot, ensureBenchImage, type BenchImage } from "./generate-big-image.js";
import { STREAMED_HEADING, streamedSection } from "./streamed.js";
import { ensureTool } from "./tools.js";

const repo = fileURLToPath(new URL("..", import.meta.url));
const cli = path.join(repo, "packages/cli/dist/main.js");
const runs = Math.max(1, Number(process.env["BENCH_RUNS"] ?? 3));
const log = (m: string): void => void process.stderr.write(`[bench:streamed] ${m}\n`);

/** The cached image when its gzip layers are there (all this needs), else the whole image, generated. */
async function image(): Promise<BenchImage> {
  const marker = path.join(cacheRoot(), "image.json");
  if (existsSync(marker)) {
    const img = JSON.parse(await readFile(marker, "utf8")) as BenchImage;
    if (img.gzip8.layerFiles.every((f) => existsSync(f))) return img;
  }
  return ensureBenchImage();
}

if (!existsSync("/usr/bin/time")) ensureTool("time", "time");
if (!existsSync("/usr/bin/time")) throw new Error("GNU /usr/bin/time is needed (apt-get install time)");
if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`pnpm build\` first (\`pnpm bench:streamed\` does)`);
const loadStart = os.loadavg().map((x) => x.toFixed(2)).join(" ");
const section = await streamedSection(await image(), cli, runs, log);
const loadEnd = os.loadavg().map((x) => x.toFixed(2)).join(" ");
const stamped = section.replace(
  "\n\n",
  `\n\nWritten by \`pnpm bench:streamed\` (bench/streamed-main.ts) on ${new Date().toISOString()}, node ${process.version}, ${os.availableParallelism()} cores; load average ${loadStart} at start, ${loadEnd} at end.\n\n`,
);
const results = path.join(repo, "bench/RESULTS.md");
const old = existsSync(results) ? await readFile(results, "utf8") : "# layerlint benchmark results\n";
const at = old.indexOf(STREAMED_HEADING);
let next: string;
if (at < 0) next = `${old.trimEnd()}\n\n${stamped}`;
else {
  const end = old.indexOf("\n## ", at + STREAMED_HEADING.length);
  next = `${old.slice(0, at)}${stamped}${end < 0 ? "" : `\n${old.slice(end + 1)}`}`;
}
await writeFile(results, next.endsWith("\n") ? next : `${next}\n`);
console.log(stamped);
log(`wrote its section of bench/RESULTS.md`);
