// Sizes of layers stored uncompressed (docker save): the report says what
// was stored, and the compressed size is "unknown" unless a compressed-size
// rule asked for gzip -6's estimate; the size checks say which quantity
// they read, and fail closed when it is unknown.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliPath, runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/gate.js";
import { legacyArchive } from "./helpers/real-world.js";
import { dir, file, image, layer, layoutFiles, packTar, writeArchive, writeTree, type Built } from "./hostile/build.js";
import { scan } from "../packages/core/src/scan.js";
import { evaluatePolicy } from "../packages/core/src/policy/evaluate.js";
import { formatSize } from "../packages/core/src/policy/size.js";

let tmp: { dir: string; cleanup: () => Promise<void> };
let tars: Buffer[];
let saved: string;
let built: Built;

/** A log that compresses about 10:1, as text layers do. */
const log = (n: number) => Array.from({ length: n }, (_, i) => `line ${i} of a log that compresses ${i % 17}\n`).join("");

beforeAll(async () => {
  tmp = await tempDir("layerlint-sizes-");
  tars = [await packTar([dir("app"), file("app/log.txt", log(4000))]), await packTar([dir("data"), file("data/more.txt", log(1500))])];
  built = await image({ layers: tars.map((t) => layer(t, "none")) });
  saved = await writeArchive(`${tmp.dir}/save.tar`, legacyArchive([{ b: built, tags: ["app:1"] }]));
});
afterAll(async () => {
  await tmp.cleanup();
});

interface Sized {
  image: {
    sizes: { compressed: number; uncompressed: number; stored: number; compressedKind: string };
    layers: { compressedSize: number; storedSize: number; compressedSizeKind: string; compression: string }[];
  };
  gate?: { passed: boolean; checks: { id: string; passed: boolean; actual: unknown; limit: unknown; actualKind?: string; message: string }[] };
}

async function json(args: string[]): Promise<{ code: number; stderr: string; report: Sized }> {
  const r = await runCli(["scan", ...args, "--format", "json"]);
  return { code: r.code, stderr: r.stderr, report: JSON.parse(r.stdout) as Sized };
}

const sizesOf = (r: Sized) => ({
  sizes: { compressed: r.image.sizes.compressed, stored: r.image.sizes.stored, compressedKind: r.image.sizes.compressedKind },
  layers: r.image.layers.map((l) => ({ compressedSize: l.compressedSize, storedSize: l.storedSize, compressedSizeKind: l.compressedSizeKind })),
});
const total = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
/** zlib's gzip at level 6, as the scan computes it: the estimate is exactly this, byte for byte. */
const gz6 = (t: Buffer) => gzipSync(t, { level: 6 }).length;

describe("a docker save archive (layers stored uncompressed)", () => {
  it("without a compressed-size rule: stored size reported, compressed size unknown (JSON and text)", async () => {
    const { code, report } = await json([saved]);
    expect(code).toBe(0);
    expect(sizesOf(report)).toEqual({
      sizes: { compressed: total(tars.map((t) => t.length)), stored: total(tars.map((t) => t.length)), compressedKind: "unknown" },
      layers: tars.map((t) => ({ compressedSize: t.length, storedSize: t.length, compressedSizeKind: "unknown" })),
    });
    const text = await runCli(["scan", saved]);
    expect(text.stdout).toMatch(/^0 +unknown +\d+ kB +1 +step 0$/m);
    expect(text.stdout).toMatch(/^1 +unknown +\d+ kB +1 +step 1$/m);
    expect(text.stdout).toContain("unknown: stored uncompressed (as docker save writes layers); a scan with --max-compressed or --max-layer-size estimates it\n");
    expect(text.stdout).toMatch(/; size \d+ kB stored \(compressed size unknown\), \d+ kB uncompressed,/);
  });

  it("with --max-compressed / --max-layer-size: gzip -6 estimated per layer, and the checks say they read an estimate", async () => {
    const est = tars.map(gz6);
    const { code, stderr, report } = await json([saved, "--max-compressed", "10MB", "--max-layer-size", "10kB"]);
    expect({ code, stderr }).toEqual({ code: 1, stderr: "" });
    expect(sizesOf(report)).toEqual({
      sizes: { compressed: total(est), stored: total(tars.map((t) => t.length)), compressedKind: "estimated" },
      layers: tars.map((t, i) => ({ compressedSize: est[i], storedSize: t.length, compressedSizeKind: "estimated" })),
    });
    const note = "(estimated: gzip -6 of layers stored uncompressed, as docker push compresses them)";
    expect(report.gate!.checks).toEqual([
      { id: "max-compressed", passed: true, actual: total(est), limit: 10_000_000, actualKind: "estimated", message: `compressed size ${formatSize(total(est))} ${note} is within 10 MB` },
      {
        id: "max-layer-size",
        passed: false,
        actual: est[0],
        limit: 10_000,
        actualKind: "estimated",
        message: `1 layer over 10 kB compressed ${note}: #0 ~${formatSize(est[0]!)} (step 0)`,
      },
    ]);
    // The estimate is not the stored size: text layers shrink about tenfold.
    expect(est[0]! * 5).toBeLessThan(tars[0]!.length);
    const text = await runCli(["scan", saved, "--max-compressed", "10MB"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^0 +~\d+ kB +\d+ kB +1 +step 0$/m);
    expect(text.stdout).toContain("~: estimated, gzip -6 of a layer stored uncompressed (as docker push compresses it)\n");
    expect(text.stdout).toMatch(/; size ~\d+ kB compressed \(estimated\), \d+ kB uncompressed,/);
    expect(text.stdout).toMatch(/^pass +max-compressed +~[\d.]+ kB +10 MB +compressed size [\d.]+ kB \(estimated: /m);
  });

  it("piped (plain or gzip-compressed), the archive's layers get the same estimate as from the file", async () => {
    const fromFile = await json([saved, "--max-compressed", "10MB"]);
    for (const input of [readFileSync(saved), gzipSync(readFileSync(saved))]) {
      const r = spawnSync(process.execPath, [cliPath, "scan", "-", "--max-compressed", "10MB", "--format", "json"], { input, encoding: "utf8" });
      expect({ code: r.status, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
      const piped = JSON.parse(r.stdout) as Sized;
      expect(sizesOf(piped)).toEqual(sizesOf(fromFile.report));
      expect(piped.gate!.checks).toEqual(fromFile.report.gate!.checks);
    }
  });

  it("a report scanned without the estimate fails the compressed-size checks closed, saying why", async () => {
    const report = await scan(saved);
    const stored = total(tars.map((t) => t.length));
    const gate = evaluatePolicy(report, { size: { maxCompressed: 10_000_000, maxLayerSize: 10_000_000, maxUncompressed: 10_000_000 } });
    const why =
      `fails closed: compressed size unknown: 2 layers (#0, #1) are stored uncompressed (${formatSize(stored)} as stored) ` +
      "and the scan did not estimate their gzip size (ScanOptions.estimateCompressedSize; the CLI sets it for this rule)";
    expect(gate.checks.map(({ id, passed, actual, actualKind, message }) => ({ id, passed, actual, actualKind, message }))).toEqual([
      { id: "max-compressed", passed: false, actual: null, actualKind: "unknown", message: why },
      { id: "max-uncompressed", passed: true, actual: report.image.sizes.uncompressed, actualKind: undefined, message: expect.stringMatching(/^uncompressed size .* is within 10 MB$/) },
      { id: "max-layer-size", passed: false, actual: null, actualKind: "unknown", message: why },
    ]);
    expect(gate.passed).toBe(false);
  });
});

describe("stored compressed layers and an uncompressed OCI layer", () => {
  it("a gzip layer's compressed size is the blob as stored, never estimated; an uncompressed OCI layer is estimated like docker save's", async () => {
    const gzipped = await image({ layers: [layer(tars[0]!, "gzip"), layer(tars[1]!, "none")] });
    const layout = await writeTree(`${tmp.dir}/mixed.oci`, layoutFiles(gzipped));
    // The fixture gzips at level 6 too: the stored blob is what the estimate would be, and is reported as stored.
    const { report } = await json([`oci:${layout}`, "--max-compressed", "10MB"]);
    expect(sizesOf(report).layers).toEqual([
      { compressedSize: gz6(tars[0]!), storedSize: gz6(tars[0]!), compressedSizeKind: "stored" },
      { compressedSize: gz6(tars[1]!), storedSize: tars[1]!.length, compressedSizeKind: "estimated" },
    ]);
    expect(report.image.layers.map((l) => l.compression)).toEqual(["gzip", "none"]);
    expect(sizesOf(report).sizes.compressedKind).toBe("estimated");
  });
});
