// Memory grows with what a scan must keep, never with what an image makes
// it read, and time with the bytes: four crafted images, each scanned by the
// CLI in a child process whose peak RSS must stay under 512 MiB within a
// wall-time bound, with the exit code asserted. Before the bounds these
// reached 4.9 GB, 2.6 GB and 1 million findings (467 MB of JSON); the
// parent kills a child at 1 GiB.
//
// What bounds them lives in the tar reader (a path longer than PATH_MAX is
// an error), the merge (a scan-wide budget of captured content) and the
// analyzers (content retention, a scan-wide budget of busybox bytes read for
// applets, findings aggregated past a threshold).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBounded, type BoundedRun } from "./helpers/bounded-run.js";
import { expectBounded, notKilled } from "./helpers/bounded-expect.js";
import { cliPath } from "./helpers/cli.js";
import { cached, END, header, MiB, paxPathFile, runFile, writeGzipLayer, writeGzipMembers, writeLayout, writeZstdLayer } from "./helpers/resource-images.js";
import { BUSYBOX_SCAN_BUDGET } from "../packages/core/src/analyzers/busybox.js";

let work: string;
let runs = 0;

beforeAll(async () => {
  work = await mkdtemp(`${tmpdir()}/layerlint-inputs-`);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function scanCli(image: string, killAfterMs: number): Promise<BoundedRun> {
  return runBounded(cliPath, ["scan", `oci:${image}`, "--format", "json"], {
    killAtBytes: 1024 * MiB,
    killAfterMs,
    stdoutFile: `${work}/stdout-${runs++}`,
    keepStdout: 64 * MiB,
  });
}

const BUSYBOXES = 1200;

interface ScanReport {
  image: { sizes: { files: number; uncompressed: number } };
  summary: { total: number };
  findings: { ruleId: string; evidence?: Record<string, unknown>; aggregate?: { count: number } }[];
  analysis: { complete: boolean; gaps: { ruleId: string }[] };
}

/** Findings of `ruleId`, an aggregate counting for every finding it stands for. */
function counted(report: ScanReport, ruleId: string): number {
  return report.findings.filter((f) => f.ruleId === ruleId).reduce((n, f) => n + (f.aggregate?.count ?? 1), 0);
}

describe("resource bounds on crafted images", () => {
  it("1,200 executable files named */busybox of 4 MiB zeros each (4.8 GB unpacked): scanned, each one a tools gap, exit 0", async () => {
    // One zstd layer of hand-written blocks: about 1 MB on disk.
    const image = await cached("busybox-1200x4m-v2", async (dir) => {
      const segments = [];
      for (let i = 0; i < BUSYBOXES; i++) segments.push(...runFile(`b${String(i).padStart(4, "0")}/busybox`, 4 * MiB, 0, 0o755));
      segments.push(END);
      await writeLayout(dir, [await writeZstdLayer(dir, segments, 20)]);
    });
    const r = await scanCli(image, 90_000);
    notKilled(r);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout!) as ScanReport;
    expect(report.image.sizes.files).toBe(BUSYBOXES);
    expect(report.image.sizes.uncompressed).toBeGreaterThan(BUSYBOXES * 4 * MiB);
    // Zeros hold no applet table, and past the scan's read budget nothing is read: every one fails closed.
    expect(counted(report, "tools-undetermined")).toBe(BUSYBOXES);
    expect(counted(report, "shell-present")).toBe(BUSYBOXES);
    const reasons = new Set(report.findings.filter((f) => f.ruleId === "tools-undetermined" && f.aggregate === undefined).map((f) => f.evidence?.["reason"]));
    expect(reasons).toEqual(new Set(["applet list not found", "over the scan's 64 MiB of busybox reads"]));
    expect(report.analysis.complete).toBe(false);
    expectBounded(r, 60_000);
  }, 120_000);

  it("1,200 busybox files of 4 MiB of short names (the applet scanner's slowest input): the first ones read, the rest a tools gap, exit 0", async () => {
    // Each: a tiny applet table, then "a\0" to 4 MiB. Every two bytes are a name the scanner
    // must compare (about 60 ms a file, 80 s for all of them); the scan-wide budget reads 16.
    const image = await cached("busybox-names-1200x4m-v1", async (dir) => {
      const content = Buffer.alloc(4 * MiB, "a\0", "latin1");
      content.write("[\0[[\0sh\0wget\0", 0, "latin1");
      function* parts(): Generator<Buffer> {
        for (let i = 0; i < BUSYBOXES; i++) {
          yield header(`b${String(i).padStart(4, "0")}/busybox`, "0", content.length, undefined, 0o755);
          yield content;
        }
        yield Buffer.alloc(1024);
      }
      await writeLayout(dir, [await writeGzipMembers(dir, parts())]);
    });
    const r = await scanCli(image, 90_000);
    notKilled(r);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout!) as ScanReport;
    expect(report.image.sizes.files).toBe(BUSYBOXES);
    const read = BUSYBOX_SCAN_BUDGET / (4 * MiB);
    // Read: its applets (sh, wget) are reported. Not read: a shell is assumed and the applets are a gap.
    expect(counted(report, "download-tool-present")).toBe(read);
    expect(counted(report, "shell-present")).toBe(BUSYBOXES);
    expect(counted(report, "tools-undetermined")).toBe(BUSYBOXES - read);
    const gap = report.findings.find((f) => f.ruleId === "tools-undetermined");
    expect(gap?.evidence?.["reason"]).toBe("over the scan's 64 MiB of busybox reads");
    expect(report.analysis.gaps.map((g) => g.ruleId)).toContain("tools-undetermined");
    expectBounded(r, 60_000);
  }, 120_000);

  it("2,500 PAX paths of about 1 MiB each: refused as longer than PATH_MAX, exit 2 with one line", async () => {
    const image = await cached("pax-paths-2500x1m-v1", async (dir) => {
      const segments = [];
      for (let i = 0; i < 2500; i++) segments.push(...paxPathFile(`p${String(i).padStart(4, "0")}/`, MiB - 64));
      segments.push(END);
      await writeLayout(dir, [await writeZstdLayer(dir, segments, 20)]);
    });
    const r = await scanCli(image, 90_000);
    notKilled(r);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: .*path/i);
    // One line, not a megabyte of path.
    expect(lines[0]!.length).toBeLessThan(1000);
    expectBounded(r, 60_000);
  }, 120_000);

  it("a million entries written through a symlinked parent: findings aggregated with their count, exit 0", async () => {
    // etc/, e -> etc, then e/f0000000 … e/f0999999: each is an unsafe entry the runtime writes under /etc.
    const N = 1_000_000;
    const image = await cached("symlinked-parent-1m-v1", async (dir) => {
      async function* tar(): AsyncGenerator<Buffer> {
        yield Buffer.concat([header("etc", "5"), header("e", "2", 0, "etc")]);
        const batch: Buffer[] = [];
        for (let i = 0; i < N; i++) {
          batch.push(header(`e/f${String(i).padStart(7, "0")}`, "0"));
          if (batch.length === 2048) yield Buffer.concat(batch.splice(0));
        }
        if (batch.length > 0) yield Buffer.concat(batch);
        yield Buffer.alloc(1024);
      }
      await writeLayout(dir, [await writeGzipLayer(dir, tar())]);
    });
    const r = await scanCli(image, 90_000);
    notKilled(r);
    expect(r.code, r.stderr).toBe(0);
    // Unbounded this was 467 MB of JSON; aggregated it is a few findings and a count.
    expect(r.stdoutBytes).toBeLessThan(16 * MiB);
    const report = JSON.parse(r.stdout!) as ScanReport;
    expect(report.image.sizes.files).toBe(N);
    const unsafe = report.findings.filter((f) => f.ruleId === "unsafe-tar-entry");
    expect(unsafe.length).toBeGreaterThan(0);
    expect(unsafe.length).toBeLessThanOrEqual(1000);
    // Every one of them is counted (Finding.aggregate): the gate and the summary see a million, not the listed few.
    expect(counted(report, "unsafe-tar-entry")).toBe(N);
    expect(report.summary.total).toBeGreaterThanOrEqual(N);
    expectBounded(r, 60_000);
  }, 120_000);
});
