// The gzip -6 estimate of layers stored uncompressed (`docker save`): what it
// costs and how far it is from real gzip.
//
//   pnpm build && node --import tsx bench/gzip-estimate.ts
//
// Prints its tables and writes them to bench/gzip-estimate.md, which
// bench/run.ts copies into bench/RESULTS.md.
//
// Input: a docker save archive (legacy layout, layers stored uncompressed)
// of two real trees, the Debian bookworm minbase rootfs and the
// ca-certificates/python3 package contents (debootstrapped once and cached,
// as bench/debian-rootfs.ts does), each tarred by GNU tar.
//
// Cost: `scan --format json` without a compressed-size rule (the baseline)
// against the same scan with `--max-compressed` (which turns the estimate
// on), interleaved round by round, BENCH_RUNS rounds (default 5); medians
// and their ratios, from the same run.
//
// Error: each layer's estimate (the report's compressedSize) against
// `gzip -6 -n` (GNU gzip) and against Go's compress/gzip at
// DefaultCompression, which is what docker push compresses a layer with
// (compress() in https://github.com/moby/moby/blob/master/daemon/internal/distribution/push.go).
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { debianPackagesTree, debootstrapRootfs } from "../test/helpers/pack-rootfs.js";
import { measure, median, type Sample } from "./measure.js";

const cli = fileURLToPath(new URL("../packages/cli/dist/main.js", import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 5);
const work = await mkdtemp(path.join(os.tmpdir(), "layerlint-bench-gzip-estimate-"));

const TAR_FLAGS = ["--numeric-owner", "--format=posix", "--pax-option=delete=atime,delete=ctime", "--sort=name", "--one-file-system", "--mtime=2024-01-01"];

async function sha256File(file: string): Promise<string> {
  const h = createHash("sha256");
  h.update(await readFile(file));
  return `sha256:${h.digest("hex")}`;
}

/** GNU tar of `tree` → `<hex>/layer.tar` under `stage`; returns its path relative to stage and its digest. */
async function tarLayer(tree: string, stage: string): Promise<{ rel: string; digest: string; file: string }> {
  const tmp = path.join(stage, "layer.tmp");
  const r = spawnSync("tar", [...TAR_FLAGS, "-C", tree, "-cf", tmp, "."]);
  if (r.status !== 0 && r.status !== 1) throw new Error(`tar ${tree}: ${r.stderr}`);
  const digest = await sha256File(tmp);
  const rel = `${digest.slice(7)}/layer.tar`;
  await mkdir(path.join(stage, digest.slice(7)), { recursive: true });
  execFileSync("mv", [tmp, path.join(stage, rel)]);
  return { rel, digest, file: path.join(stage, rel) };
}

async function buildArchive(): Promise<{ archive: string; layers: string[] }> {
  const stage = path.join(work, "stage");
  await mkdir(stage, { recursive: true });
  const trees = [await debootstrapRootfs(), await debianPackagesTree()];
  const layers = [];
  for (const t of trees) layers.push(await tarLayer(t, stage));
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      config: { User: "1000" },
      rootfs: { type: "layers", diff_ids: layers.map((l) => l.digest) },
      history: trees.map((t) => ({ created_by: `COPY ${path.basename(t)} /` })),
    }),
  );
  const configName = `${createHash("sha256").update(config).digest("hex")}.json`;
  await writeFile(path.join(stage, configName), config);
  await writeFile(path.join(stage, "manifest.json"), JSON.stringify([{ Config: configName, RepoTags: ["bench:1"], Layers: layers.map((l) => l.rel) }]));
  const archive = path.join(work, "save.tar");
  execFileSync("tar", ["-cf", archive, "-C", stage, "manifest.json", configName, ...layers.map((l) => l.rel)]);
  return { archive, layers: layers.map((l) => l.file) };
}

/** Go's compress/gzip at DefaultCompression of stdin; prints the size. */
const GO_GZIP = `package main
import ("compress/gzip"; "fmt"; "io"; "os")
type counter struct{ n int64 }
func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }
func main() {
  c := &counter{}
  w, _ := gzip.NewWriterLevel(c, gzip.DefaultCompression)
  if _, err := io.Copy(w, os.Stdin); err != nil { panic(err) }
  w.Close()
  fmt.Println(c.n)
}
`;

function goGzipSize(file: string, bin: string | undefined): number | undefined {
  if (!bin) return undefined;
  return Number(execFileSync("sh", ["-c", `"${bin}" < "${file}"`], { encoding: "utf8" }).trim());
}

function buildGoGzip(): string | undefined {
  const dir = path.join(work, "gogzip");
  const r = spawnSync("sh", ["-c", `mkdir -p ${dir} && cd ${dir} && cat > main.go && GO111MODULE=off GOCACHE=${dir}/cache go build -o gogzip main.go`], { input: GO_GZIP });
  return r.status === 0 ? path.join(dir, "gogzip") : undefined;
}

const pct = (ours: number, theirs: number) => `${(((ours - theirs) / theirs) * 100).toFixed(2)} %`;
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
const s = (x: number) => `${x.toFixed(2)} s`;

try {
  const { archive, layers } = await buildArchive();
  const L: string[] = [];
  const log = (...xs: unknown[]) => L.push(xs.join(" "));
  log(
    `Run on ${new Date().toISOString()} by bench/gzip-estimate.ts, ${os.availableParallelism()} cores, node ${process.version}, load average at start ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}.`,
    `Input: a docker save archive (layers stored uncompressed) of the Debian bookworm minbase rootfs and the ca-certificates/python3 package contents, ${mb((await stat(archive)).size)}, ${layers.length} layers.`,
  );
  // Read once, untimed, so that no round measures the disk.
  execFileSync("cat", [archive], { stdio: ["ignore", "ignore", "inherit"] });

  const baseArgs = [cli, "scan", archive, "--format", "json"];
  const estArgs = [...baseArgs, "--max-compressed", "100GB"];
  await measure(process.execPath, baseArgs);
  const base: Sample[] = [];
  const est: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    base.push(await measure(process.execPath, baseArgs));
    est.push(await measure(process.execPath, estArgs));
  }

  const out = path.join(work, "report.json");
  await measure(process.execPath, estArgs, { stdoutFile: out });
  const report = JSON.parse(await readFile(out, "utf8")) as { image: { layers: { compressedSize: number; storedSize: number; compressedSizeKind: string }[] } };
  const go = buildGoGzip();
  const rows = report.image.layers.map((l, i) => {
    const gnu = Number(execFileSync("sh", ["-c", `gzip -6 -n < "${layers[i]}" | wc -c`], { encoding: "utf8" }).trim());
    return { i, stored: l.storedSize, kind: l.compressedSizeKind, ours: l.compressedSize, gnu, go: goGzipSize(layers[i]!, go) };
  });

  const m = (xs: Sample[], k: keyof Sample) => median(xs.map((x) => x[k]));
  log(`\n### Cost (median of ${runs} rounds, interleaved)\n`);
  log("| scan | wall | CPU (user+sys) | peak RSS |");
  log("|---|---:|---:|---:|");
  log(`| baseline (no size rule) | ${s(m(base, "wallS"))} | ${s(m(base, "cpuS"))} | ${m(base, "rssMiB").toFixed(0)} MiB |`);
  log(`| --max-compressed (estimate) | ${s(m(est, "wallS"))} | ${s(m(est, "cpuS"))} | ${m(est, "rssMiB").toFixed(0)} MiB |`);
  log(`| ratio | ${(m(est, "wallS") / m(base, "wallS")).toFixed(2)}× | ${(m(est, "cpuS") / m(base, "cpuS")).toFixed(2)}× | ${(m(est, "rssMiB") / m(base, "rssMiB")).toFixed(2)}× |`);
  log("\nwall per round (baseline / estimate):", base.map((b, i) => `${b.wallS.toFixed(2)}/${est[i]!.wallS.toFixed(2)}`).join(", "));
  log("\n### Error\n");
  log("| layer | stored | kind | estimate | gzip -6 -n | vs gzip | Go DefaultCompression | vs Go |");
  log("|---|---:|---|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    log(
      `| ${r.i} | ${r.stored} | ${r.kind} | ${r.ours} | ${r.gnu} | ${pct(r.ours, r.gnu)} | ${r.go ?? "n/a"} | ${r.go ? pct(r.ours, r.go) : "n/a"} |`,
    );
  }
  const sum = (k: "ours" | "gnu" | "go") => rows.reduce((a, r) => a + (r[k] ?? 0), 0);
  log(`| all | ${rows.reduce((a, r) => a + r.stored, 0)} | | ${sum("ours")} | ${sum("gnu")} | ${pct(sum("ours"), sum("gnu"))} | ${go ? sum("go") : "n/a"} | ${go ? pct(sum("ours"), sum("go")) : "n/a"} |`);
  const md = L.join("\n") + "\n";
  await writeFile(fileURLToPath(new URL("./gzip-estimate.md", import.meta.url)), md);
  console.log(md);
} finally {
  await rm(work, { recursive: true, force: true });
}
