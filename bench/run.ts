/**
 * `pnpm bench`: generates (or reuses) the big benchmark image,
 * measures layerlint against the physical baseline in one run, profiles the
 * full scan, prints everything and writes bench/RESULTS.md.
 *
 * Environment: BENCH_RUNS (default 7) runs per measurement, interleaved
 * round by round so background load spreads over all of them (umoci, which
 * takes a minute and has no target, at most 3); the disk writes of one
 * measurement are flushed before the next starts;
 * LAYERLINT_BENCH_DIR overrides the cache directory.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { ensureBenchImage, type BenchImage } from "./generate-big-image.js";
import { measure, medianSample, type Sample } from "./measure.js";
import { pushOnce } from "./registry.js";
import { startRegistry, type RunningRegistry } from "../test/registry/registry.js";
import { ensureTool } from "./tools.js";
import { profileMarkdown, summariseProfile } from "./cpuprofile-summary.js";
import { STREAMED_HEADING, streamedSection } from "./streamed.js";
import { STARTUP_HEADING, startupSection } from "./startup.js";

const started = performance.now();
const repo = fileURLToPath(new URL("..", import.meta.url));
const cli = path.join(repo, "packages/cli/dist/main.js");
const runs = Math.max(1, Number(process.env["BENCH_RUNS"] ?? 7));
/** umoci takes a minute a run and has no target. */
const UMOCI_RUNS = 3;
/** The streamed-archive rows (bench/streamed.ts) read 1.44 GiB each, 5 rows a round. */
const STREAMED_RUNS = 3;
const log = (m: string): void => void process.stderr.write(`[bench] ${m}\n`);

interface Measurement {
  id: string;
  label: string;
  cmd: string;
  args: string[];
  /** Keeps the child's stdout (the scan reports) for the sanity checks. */
  stdoutFile?: string;
  before?: () => Promise<void>;
  /** Untimed clean-up once a run is measured. */
  after?: () => Promise<void>;
  /** Fewer runs than the others (a slow peer with no target). */
  maxRuns?: number;
  samples: Sample[];
  error?: string;
  skipped?: string;
}

function machine(): Record<string, string> {
  const cpuinfo = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "";
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? "unknown";
  return {
    "nproc": String(os.availableParallelism()),
    "memory": `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    "CPU": model,
    "node": process.version,
    "kernel": `${os.type()} ${os.release()} ${os.arch()}`,
    "zlib zstd (createZstdDecompress)": "createZstdDecompress" in zlib ? "yes" : "no (layerlint decodes zstd with libzstd as WebAssembly, in layer workers)",
    "load average at start": os.loadavg().map((x) => x.toFixed(2)).join(" "),
  };
}

function toolVersion(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return `${r.stdout}${r.stderr}`.split("\n").find((l) => l.trim())?.trim() ?? "?";
}

async function main(): Promise<void> {
  const mach = machine();
  if (!existsSync("/usr/bin/time")) ensureTool("time", "time");
  if (!existsSync("/usr/bin/time")) throw new Error("GNU /usr/bin/time is needed (apt-get install time)");
  if (!ensureTool("zstd", "zstd")) throw new Error("the zstd CLI is needed (apt-get install zstd)");
  const umoci = ensureTool("umoci", "umoci");
  const skopeo = ensureTool("skopeo", "skopeo");
  const registryBin = ensureTool("docker-registry", "docker-registry");
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`pnpm build\` first (\`pnpm bench\` does)`);

  const img = await ensureBenchImage();
  log(`image: ${img.root} (${img.cached ? "cached" : `generated in ${img.generateSeconds.toFixed(0)} s`})`);
  const outDir = path.join(img.root, "out");
  await mkdir(outDir, { recursive: true });

  // (b) needs the registry transport and a registry holding the image.
  let reg: RunningRegistry | undefined;
  const registryStorage = path.join(img.root, "registry");
  let regInput: string | undefined;
  let regReason = "";
  if (!skopeo || !registryBin) regReason = "skopeo or docker-registry not installed";
  else {
    try {
      // Anonymous, its storage in the cache: the image stays pushed between runs.
      reg = await startRegistry({ kind: "none" }, { storage: registryStorage });
      const t = performance.now();
      const how = await pushOnce(reg, img.gzip8.dir, "bench", img.gzip8.manifestDigest);
      log(`registry ${reg.host}: image ${how}${how === "pushed" ? ` in ${((performance.now() - t) / 1000).toFixed(0)} s` : ""}`);
      const input = `docker://${reg.host}/bench:v1`;
      const probe = spawnSync(process.execPath, [cli, "info", input, "--plain-http", "--quiet"], { encoding: "utf8", cwd: img.root });
      if (probe.status === 0) regInput = input;
      else regReason = `registry transport unavailable: ${(probe.stderr || probe.stdout).trim().split("\n")[0]}`;
    } catch (e) {
      regReason = `registry unavailable: ${(e as Error).message.split("\n")[0]}`;
    }
  }

  const scan = (input: string, extra: string[] = []): string[] => [cli, "scan", "--format", "json", ...extra, input];
  const bundle = path.join(img.root, "umoci-bundle");
  const m: Measurement[] = [
    { id: "a", label: "scan --format json, OCI archive, gzip, 8 layers", cmd: process.execPath, args: scan(`oci-archive:${img.gzip8.archive}`), stdoutFile: `${outDir}/a.json`, samples: [] },
    { id: "a'", label: "same files packed into 2 layers (gzip archive)", cmd: process.execPath, args: scan(`oci-archive:${img.gzip2.archive}`), stdoutFile: `${outDir}/a2.json`, samples: [] },
    { id: "a-zstd", label: "scan --format json, OCI archive, zstd, 8 layers", cmd: process.execPath, args: scan(`oci-archive:${img.zstd8.archive}`), stdoutFile: `${outDir}/az.json`, samples: [] },
    regInput
      ? { id: "b", label: `scan --format json, registry (${regInput})`, cmd: process.execPath, args: scan(regInput, ["--plain-http", "--quiet"]), stdoutFile: `${outDir}/b.json`, samples: [] }
      : { id: "b", label: "scan --format json, registry", cmd: "", args: [], samples: [], skipped: `n/a (${regReason})` },
    { id: "c", label: "files --format json (metadata only), gzip archive", cmd: process.execPath, args: [cli, "files", "--format", "json", `oci-archive:${img.gzip8.archive}`], samples: [] },
    {
      id: "d",
      label: "baseline: gzip -dc LAYER | tar -t, 8 layers sequentially",
      cmd: "bash",
      args: ["-c", 'set -eo pipefail; for f in "$@"; do gzip -dc "$f" | tar -t > /dev/null; done', "baseline", ...img.gzip8.layerFiles],
      samples: [],
    },
    {
      id: "d-zstd",
      label: "baseline: zstd -dc LAYER | tar -t, 8 layers sequentially",
      cmd: "bash",
      args: ["-c", 'set -eo pipefail; for f in "$@"; do zstd -dcq "$f" | tar -t > /dev/null; done', "baseline", ...img.zstd8.layerFiles],
      samples: [],
    },
    umoci
      ? {
          id: "e",
          label: "umoci unpack of the gzip layout",
          cmd: umoci,
          args: ["unpack", "--image", `${img.gzip8.dir}:v1`, bundle],
          before: () => rm(bundle, { recursive: true, force: true }),
          // umoci writes 1.4 GiB: delete it and let the kernel write back
          // before the next measurement, so that one does not pay for it.
          after: async () => {
            await rm(bundle, { recursive: true, force: true });
            spawnSync("sync");
          },
          maxRuns: UMOCI_RUNS,
          samples: [],
        }
      : { id: "e", label: "umoci unpack", cmd: "", args: [], samples: [], skipped: "n/a (umoci not installed)" },
  ];

  // Warm the page cache: every file a measurement reads (archives, layouts,
  // the registry's storage) is read once, untimed. Installs and test runs
  // evict it, and the first round then measured the disk: zstd -dc took
  // 9.9 s in a round 1 against 1.5-2.6 s in the others.
  log("reading every input once (page cache)");
  const inputs = [img.gzip8, img.zstd8, img.gzip2].flatMap((l) => [l.archive, l.dir]);
  if (reg) inputs.push(registryStorage);
  spawnSync("sh", ["-c", 'find "$@" -type f -exec cat {} + > /dev/null', "warm", ...inputs], { stdio: ["ignore", "ignore", "inherit"] });
  // And check (a) runs at all.
  log("warm-up run of (a)");
  await measure(m[0]!.cmd, m[0]!.args, { stdoutFile: m[0]!.stdoutFile, cwd: img.root });
  for (let r = 1; r <= runs; r++) {
    for (const x of m) {
      const of = Math.min(runs, x.maxRuns ?? runs);
      if (x.skipped || x.error || r > of) continue;
      try {
        await x.before?.();
        const s = await measure(x.cmd, x.args, { stdoutFile: x.stdoutFile, cwd: img.root });
        x.samples.push(s);
        await x.after?.();
        log(`run ${r}/${of} (${x.id}) ${s.wallS.toFixed(2)} s wall, ${s.cpuS.toFixed(2)} s CPU, ${s.rssMiB.toFixed(0)} MiB`);
      } catch (e) {
        x.error = (e as Error).message;
        log(`(${x.id}) failed: ${x.error}`);
      }
    }
  }
  await rm(bundle, { recursive: true, force: true });
  let streamed: string;
  try {
    streamed = await streamedSection(img, cli, Math.min(runs, STREAMED_RUNS), log);
  } catch (e) {
    streamed = `${STREAMED_HEADING}\n\nfailed: ${(e as Error).message.split("\n")[0]}\n`;
  }
  let startup: string;
  try {
    startup = await startupSection(repo, 21, log);
  } catch (e) {
    startup = `${STARTUP_HEADING}\n\nfailed: ${(e as Error).message.split("\n")[0]}\n`;
  }
  const loadEnd = os.loadavg().map((x) => x.toFixed(2)).join(" ");

  // CPU profiles of the full scans (gzip and zstd).
  const profDir = path.join(img.root, "profile");
  await rm(profDir, { recursive: true, force: true });
  const profiles: { title: string; text: string }[] = [];
  for (const [name, input] of [
    ["scan-gzip", `oci-archive:${img.gzip8.archive}`],
    ["scan-zstd", `oci-archive:${img.zstd8.archive}`],
  ] as const) {
    log(`profiling ${name}`);
    try {
      // One file per thread (no --cpu-prof-name: worker threads would overwrite it).
      const dir = path.join(profDir, name);
      const s = await measure(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${dir}`, ...scan(input)], { cwd: img.root });
      const files = (await readdir(dir)).filter((f) => f.endsWith(".cpuprofile")).map((f) => path.join(dir, f));
      const isMain = (f: string) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f);
      const workers = files.filter((f) => !isMain(f));
      let text = profileMarkdown(await summariseProfile(files.filter(isMain), 20));
      if (workers.length > 0) {
        text += `\n\n#### Layer worker threads (${workers.length}, summed)\n\n` + profileMarkdown(await summariseProfile(workers, 15), "Summed worker profile");
      }
      profiles.push({
        title: `${name} (${input.replace(img.root, "$CACHE")}), ${s.wallS.toFixed(2)} s wall under the profiler, ${s.cpuS.toFixed(2)} s CPU`,
        text,
      });
    } catch (e) {
      profiles.push({ title: name, text: `profile failed: ${(e as Error).message}` });
    }
  }
  await reg?.stop();

  const md = await results(img, mach, loadEnd, m, profiles, umoci, skopeo, regInput, regReason, `${streamed}\n\n${startup}`);
  await writeFile(path.join(repo, "bench/RESULTS.md"), md);
  console.log(md);
  log(`wrote bench/RESULTS.md; total ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

interface Report {
  image?: { sizes?: { files?: number; uncompressed?: number }; layers?: unknown[] };
  summary?: { total?: number };
  findings?: { ruleId: string; category: string; path?: string; layer?: number; inFinalImage?: boolean; severity: string }[];
}

async function readReport(file: string | undefined): Promise<Report | undefined> {
  if (!file || !existsSync(file)) return undefined;
  try {
    return JSON.parse(await readFile(file, "utf8")) as Report;
  } catch {
    return undefined;
  }
}

const f2 = (x: number): string => x.toFixed(2);

async function results(
  img: BenchImage & { cached: boolean },
  mach: Record<string, string>,
  loadEnd: string,
  ms: Measurement[],
  profiles: { title: string; text: string }[],
  umoci: string | undefined,
  skopeo: string | undefined,
  regInput: string | undefined,
  regReason: string,
  streamed: string,
): Promise<string> {
  const med = new Map<string, Sample>();
  for (const x of ms) if (x.samples.length > 0 && !x.error) med.set(x.id, medianSample(x.samples));
  const L: string[] = [];
  L.push("# layerlint benchmark results", "");
  L.push(`Written by \`pnpm bench\` (bench/run.ts) on ${new Date().toISOString()}. Median of ${runs} runs per measurement (umoci: ${Math.min(runs, UMOCI_RUNS)}), interleaved round by round; umoci's disk writes are flushed before the next measurement.`, "");
  L.push("## Machine", "");
  L.push("| | |", "|---|---|");
  for (const [k, v] of Object.entries(mach)) L.push(`| ${k} | ${v} |`);
  L.push(`| load average at end | ${loadEnd} |`);
  L.push(`| tools | ${toolVersion("gzip", ["--version"])}; ${toolVersion("tar", ["--version"])}; ${toolVersion("zstd", ["--version"])}${umoci ? `; umoci ${toolVersion(umoci, ["--version"])}` : ""}${skopeo ? `; ${toolVersion(skopeo, ["--version"])}` : ""} |`);
  L.push("");
  L.push("A load average above the core count means other processes shared the CPU during the run: absolute times are then inflated, and ratios are noisier.", "");
  L.push("## Image", "");
  L.push(
    `Generated deterministically by bench/generate-big-image.ts (plan ${img.version}), cached in \`${img.root}\`` +
      `${img.cached ? " (reused from cache this run)" : ` (generated this run in ${img.generateSeconds.toFixed(0)} s)`}.`,
    "",
  );
  L.push("| | |", "|---|---|");
  L.push(`| layers | ${img.layers} (and a 2-layer variant: layers 0–3 and 4–7 concatenated) |`);
  L.push(`| uncompressed | ${(img.uncompressedBytes / 2 ** 30).toFixed(3)} GiB (${img.uncompressedBytes.toLocaleString("en-US")} bytes of tar) |`);
  L.push(`| regular files | ${img.files.toLocaleString("en-US")} (plus ${img.whiteouts} whiteouts; ${img.entries.toLocaleString("en-US")} tar entries in all) |`);
  L.push(`| gzip layers | ${(img.gzip8.compressedBytes / 1e6).toFixed(0)} MB (node zlib level 1) |`);
  L.push(`| zstd layers | ${(img.zstd8.compressedBytes / 1e6).toFixed(0)} MB (zstd -3) |`);
  L.push("");

  L.push("## Measurements", "");
  L.push("| | measurement | wall s | CPU s (user+sys) | peak RSS MiB | wall of each run |", "|---|---|---:|---:|---:|---|");
  for (const x of ms) {
    const s = med.get(x.id);
    if (x.skipped) L.push(`| (${x.id}) | ${x.label} | ${x.skipped} | | | |`);
    else if (!s) L.push(`| (${x.id}) | ${x.label} | failed | | | ${(x.error ?? "").split("\n")[0]} |`);
    else L.push(`| (${x.id}) | ${x.label} | ${f2(s.wallS)} | ${f2(s.cpuS)} | ${s.rssMiB.toFixed(0)} | ${x.samples.map((q) => f2(q.wallS)).join(", ")} |`);
  }
  L.push("");
  const g = (id: string): Sample | undefined => med.get(id);
  const ratio = (a: string, b: string, key: "wallS" | "rssMiB" = "wallS"): number | undefined => {
    const x = g(a);
    const y = g(b);
    return x && y ? x[key] / y[key] : undefined;
  };
  const mark = (ok: boolean | undefined): string => (ok === undefined ? "n/a" : ok ? "**met**" : "**not met**");
  const val = (v: number | undefined, unit = ""): string => (v === undefined ? "n/a" : `${f2(v)}${unit}`);
  const nodeZstd = "createZstdDecompress" in zlib;
  const rA = ratio("a", "d");
  const rB = ratio("b", "a");
  const rC = ratio("a", "c");
  const rE = ratio("a", "e");
  const rZ = ratio("a-zstd", "d");
  const rZz = ratio("a-zstd", "d-zstd");
  const rss = g("a")?.rssMiB;
  const rssRel = ratio("a", "a'", "rssMiB");
  L.push("## Ratios against the targets", "");
  L.push("| ratio | value | target | |", "|---|---:|---|---|");
  L.push(`| (a)/(d): full scan vs sequential \`gzip -dc \\| tar -t\` (wall) | ${val(rA)} | ≤ 0.6 | ${mark(rA === undefined ? undefined : rA <= 0.6)} |`);
  L.push(`| (b)/(a): registry vs archive (wall) | ${regInput ? val(rB) : `n/a (${regReason})`} | ≤ 1.15 | ${mark(rB === undefined ? undefined : rB <= 1.15)} |`);
  L.push(`| (a)/(c): all analyzers vs metadata only (wall) | ${val(rC)} | ≤ 1.25 | ${mark(rC === undefined ? undefined : rC <= 1.25)} |`);
  L.push(`| (a)/(e): full scan vs umoci unpack (wall) | ${val(rE)} | (reported, no target) | |`);
  L.push(`| peak RSS of (a) | ${val(rss, " MiB")} | ≤ 256 MiB | ${mark(rss === undefined ? undefined : rss <= 256)} |`);
  L.push(`| peak RSS (a) 8 layers / (a') 2 layers | ${val(rssRel)} | within 10% (0.90–1.10) | ${mark(rssRel === undefined ? undefined : Math.abs(rssRel - 1) <= 0.1)} |`);
  if (nodeZstd) {
    L.push(`| zstd full scan / (d-zstd) \`zstd -dc \\| tar -t\` (wall) | ${val(rZz)} | ≤ 1.5 (Node has built-in zstd) | ${mark(rZz === undefined ? undefined : rZz <= 1.5)} |`);
    L.push(`| zstd full scan / (d) gzip baseline (wall) | ${val(rZ)} | (reported) | |`);
  } else {
    L.push(`| zstd full scan / (d) gzip baseline (wall) | ${val(rZ)} | ≤ 0.6 on Node 20 | ${mark(rZ === undefined ? undefined : rZ <= 0.6)} |`);
    L.push(`| zstd full scan / (d-zstd) \`zstd -dc \\| tar -t\` (wall) | ${val(rZz)} | (reported; ≤ 1.5 applies with built-in zstd) | |`);
  }
  const cpuA = g("a");
  const cpuD = g("d");
  if (cpuA && cpuD) L.push(`| CPU (a)/(d) | ${f2(cpuA.cpuS / cpuD.cpuS)} | (reported) | |`);
  const cpuC = g("c");
  if (cpuA && cpuC) L.push(`| CPU (a)/(c) | ${f2(cpuA.cpuS / cpuC.cpuS)} | (reported) | |`);
  L.push("");

  L.push("## Sanity checks of the outputs", "");
  const expectSecrets = ["/app/.env", "/app/deploy/id_rsa", "/app/config/database.yml", "/home/app/.git-credentials", "/root/.aws/credentials"];
  for (const [id, file] of [["a", "a.json"], ["a'", "a2.json"], ["a-zstd", "az.json"], ["b", "b.json"]] as const) {
    const rep = await readReport(path.join(img.root, "out", file));
    if (!rep) continue;
    const secrets = (rep.findings ?? []).filter((x) => x.category === "secret");
    const paths = new Set(secrets.map((x) => x.path));
    const missing = expectSecrets.filter((p) => !paths.has(p));
    const hidden = secrets.filter((x) => x.inFinalImage === false).length;
    L.push(
      `- (${id}): ${rep.summary?.total ?? "?"} findings, ${rep.image?.layers?.length ?? "?"} layers, ${rep.image?.sizes?.files?.toLocaleString("en-US") ?? "?"} files counted, ` +
        `${secrets.length} secret findings (${hidden} not in the final image)` +
        (missing.length ? `; **missing expected secrets: ${missing.join(", ")}**` : "; all planted secrets found"),
    );
  }
  L.push("");
  L.push(streamed, "");
  L.push("## CPU profiles (`node --cpu-prof`, main thread and layer workers)", "");
  L.push(
    "zlib inflates on the libuv thread pool, so inflate time is not in these profiles: it appears as `(idle)`/`(program)` while the main thread waits for chunks. zstd layers are verified and decoded (libzstd as WebAssembly, the `wasm-function[…]` rows) in layer worker threads, summed in their own table.",
    "",
  );
  for (const p of profiles) L.push(`### ${p.title}`, "", p.text, "");
  const estimate = path.join(repo, "bench/gzip-estimate.md");
  if (existsSync(estimate)) {
    L.push("## gzip -6 estimate of layers stored uncompressed (bench/gzip-estimate.md, from its own run of bench/gzip-estimate.ts)", "", (await readFile(estimate, "utf8")).trim(), "");
  }
  const notes = path.join(repo, "bench/NOTES.md");
  if (existsSync(notes)) {
    L.push("## Analysis (bench/NOTES.md, written by hand; check it against the numbers above)", "", (await readFile(notes, "utf8")).trim(), "");
  }
  return L.join("\n");
}

await main();
