/**
 * Streamed archives: the benchmark image as `docker save` writes it
 * (bench/docker-archive.ts, 1.44 GiB of uncompressed layers), scanned in
 * place by path and piped into `layerlint scan -` (`cat docker8.tar |`,
 * as `docker save myapp | layerlint scan -` gives it), and the same for
 * its gzip. The pipe cannot be read by offset: it is read in one pass, and
 * its peak RSS is compared with the in-place read of the same archive,
 * measured in the same run, interleaved round by round.
 *
 * Run by `pnpm bench` (a section of bench/RESULTS.md) and alone by
 * `pnpm bench:streamed` (bench/streamed-main.ts), which rewrites only that
 * section.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { ensureDockerArchives } from "./docker-archive.js";
import type { BenchImage } from "./generate-big-image.js";
import { measure, medianSample, type Sample } from "./measure.js";

export const STREAMED_HEADING = "## Streamed archives (docker save piped into `layerlint scan -`)";

interface Row {
  id: string;
  label: string;
  cmd: string;
  args: string[];
  stdoutFile?: string;
  samples: Sample[];
  error?: string;
}

/** `cat FILE | node CLI ARGS…` through bash, so the CLI's standard input is a real pipe. */
const pipedInto = (file: string, cli: string, args: string[]): string[] => [
  "-c",
  'set -o pipefail; f="$1"; shift; cat "$f" | "$@"',
  "piped",
  file,
  process.execPath,
  cli,
  ...args,
];

type Report = { image?: { input?: string; sizes?: { files?: number } }; summary?: { total?: number } };

async function reportOf(file: string | undefined): Promise<Report | undefined> {
  if (!file || !existsSync(file)) return undefined;
  try {
    return JSON.parse(await readFile(file, "utf8")) as Report;
  } catch {
    return undefined;
  }
}

/** The report without `image.input`, the one field that names how the archive came in. */
function comparable(r: Report | undefined): string | undefined {
  if (!r) return undefined;
  const copy = structuredClone(r);
  if (copy.image) delete copy.image.input;
  return JSON.stringify(copy);
}

/** Measures the streamed rows and returns the RESULTS.md section (heading included). */
export async function streamedSection(img: BenchImage, cli: string, runs: number, log: (m: string) => void): Promise<string> {
  const archives = await ensureDockerArchives(img, log);
  const out = path.join(img.root, "out");
  await mkdir(out, { recursive: true });
  const scan = ["scan", "--format", "json"];
  const rows: Row[] = [
    { id: "s-file", label: "scan, docker save archive read in place (docker8.tar by path)", cmd: process.execPath, args: [cli, ...scan, archives.tar], stdoutFile: `${out}/s-file.json`, samples: [] },
    { id: "s-pipe", label: "`cat docker8.tar \\| layerlint scan -` (one pass)", cmd: "bash", args: pipedInto(archives.tar, cli, [...scan, "-"]), stdoutFile: `${out}/s-pipe.json`, samples: [] },
    { id: "s-gz-file", label: "scan docker8.tar.gz by path (one pass)", cmd: process.execPath, args: [cli, ...scan, archives.gzip], stdoutFile: `${out}/s-gz-file.json`, samples: [] },
    { id: "s-gz-pipe", label: "`cat docker8.tar.gz \\| layerlint scan -` (one pass)", cmd: "bash", args: pipedInto(archives.gzip, cli, [...scan, "-"]), stdoutFile: `${out}/s-gz-pipe.json`, samples: [] },
    { id: "s-cat", label: "baseline: `cat docker8.tar \\| tar -t`", cmd: "bash", args: ["-c", 'set -o pipefail; cat "$1" | tar -t > /dev/null', "baseline", archives.tar], samples: [] },
  ];
  // Untimed: both archives into the page cache, so round 1 does not measure the disk.
  spawnSync("cat", [archives.tar, archives.gzip], { stdio: ["ignore", "ignore", "inherit"] });
  for (let r = 1; r <= runs; r++) {
    for (const x of rows) {
      if (x.error) continue;
      try {
        const s = await measure(x.cmd, x.args, { stdoutFile: x.stdoutFile, cwd: img.root });
        x.samples.push(s);
        log(`run ${r}/${runs} (${x.id}) ${s.wallS.toFixed(2)} s wall, ${s.cpuS.toFixed(2)} s CPU, ${s.rssMiB.toFixed(0)} MiB`);
      } catch (e) {
        x.error = (e as Error).message;
        log(`(${x.id}) failed: ${x.error}`);
      }
    }
  }
  const med = new Map<string, Sample>();
  for (const x of rows) if (x.samples.length > 0 && !x.error) med.set(x.id, medianSample(x.samples));
  const f2 = (v: number | undefined): string => (v === undefined ? "n/a" : v.toFixed(2));
  const ratio = (a: string, b: string, key: "wallS" | "rssMiB"): number | undefined => {
    const x = med.get(a);
    const y = med.get(b);
    return x && y ? x[key] / y[key] : undefined;
  };
  const L: string[] = [STREAMED_HEADING, ""];
  L.push(
    `Median of ${runs} runs, interleaved round by round. The archive is ${archives.tar.replace(img.root, "$CACHE")}: the benchmark image's 8 layers uncompressed, each \`<id>/layer.tar\`, the config and manifest.json last (as \`docker save\` writes them), so every layer streams past before the manifest says which image it belongs to; the gzip is level 1. Peak RSS is the CLI's (\`cat\` is a few MiB).`,
    "",
  );
  L.push("| | measurement | wall s | CPU s (user+sys) | peak RSS MiB | wall of each run |", "|---|---|---:|---:|---:|---|");
  for (const x of rows) {
    const s = med.get(x.id);
    if (!s) L.push(`| (${x.id}) | ${x.label} | failed | | | ${(x.error ?? "").split("\n")[0]} |`);
    else L.push(`| (${x.id}) | ${x.label} | ${f2(s.wallS)} | ${f2(s.cpuS)} | ${s.rssMiB.toFixed(0)} | ${x.samples.map((q) => f2(q.wallS)).join(", ")} |`);
  }
  L.push("");
  const rssPipe = ratio("s-pipe", "s-file", "rssMiB");
  const peak = Math.max(...["s-pipe", "s-gz-pipe", "s-gz-file"].map((id) => med.get(id)?.rssMiB ?? Infinity));
  const mark = (ok: boolean | undefined): string => (ok === undefined ? "n/a" : ok ? "**met**" : "**not met**");
  L.push("| ratio | value | target | |", "|---|---:|---|---|");
  L.push(`| peak RSS (s-pipe) piped / (s-file) in place | ${f2(rssPipe)} | (reported) | |`);
  L.push(`| peak RSS (s-gz-pipe) gzip piped / (s-file) in place | ${f2(ratio("s-gz-pipe", "s-file", "rssMiB"))} | (reported) | |`);
  L.push(`| largest peak RSS of a one-pass read (s-pipe, s-gz-file, s-gz-pipe) | ${Number.isFinite(peak) ? `${peak.toFixed(0)} MiB` : "n/a"} | ≤ 256 MiB, the in-place bound | ${mark(Number.isFinite(peak) ? peak <= 256 : undefined)} |`);
  L.push(`| wall (s-pipe) / (s-file) | ${f2(ratio("s-pipe", "s-file", "wallS"))} | (reported) | |`);
  L.push(`| wall (s-gz-pipe) / (s-file) | ${f2(ratio("s-gz-pipe", "s-file", "wallS"))} | (reported) | |`);
  L.push(`| wall (s-pipe) / (s-cat) \`cat \\| tar -t\` | ${f2(ratio("s-pipe", "s-cat", "wallS"))} | (reported) | |`);
  L.push("");
  const base = await reportOf(rows[0]!.stdoutFile);
  const want = comparable(base);
  for (const x of rows.slice(1, 4)) {
    const rep = await reportOf(x.stdoutFile);
    const verdict = !rep || !want ? "no report" : comparable(rep) === want ? "the same report as (s-file), `image.input` aside" : "**differs from (s-file)**";
    L.push(`- (${x.id}): input \`${rep?.image?.input?.replace(img.root, "$CACHE") ?? "?"}\`, ${rep?.summary?.total ?? "?"} findings, ${rep?.image?.sizes?.files?.toLocaleString("en-US") ?? "?"} files; ${verdict}`);
  }
  L.push(`- (s-file): ${base?.summary?.total ?? "?"} findings, ${base?.image?.sizes?.files?.toLocaleString("en-US") ?? "?"} files`);
  L.push("");
  return L.join("\n");
}
