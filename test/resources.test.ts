// Resources: an AbortSignal passed to scan() cancels a layer walk
// promptly and leaves no file handle open; a scan leaves no temp files.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LayerlintError, scan, type Analyzer } from "../packages/core/dist/index.js";
import { writeBigImage } from "./helpers/big-image.js";
import { fixturesOut, runCli } from "./helpers/cli.js";

const LAYER_BYTES = 200 * 1024 * 1024;
let dir: string;

const openFds = async (): Promise<number> => (await readdir("/proc/self/fd")).length;
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("AbortSignal", () => {
  beforeAll(async () => {
    dir = await mkdtemp(`${tmpdir()}/layerlint-abort-`);
    await writeBigImage(`${dir}/img`, LAYER_BYTES);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(["never", "always"] as const)("rejects promptly with ABORTED when aborted mid-layer, and closes every file handle (layer workers: %s)", async (layerWorkers) => {
    // Baseline: the whole scan, to compare the abort's latency with.
    const t0 = performance.now();
    await scan(`oci:${dir}/img`, { concurrency: 1, layerWorkers });
    const full = performance.now() - t0;
    await settle(200);
    const before = await openFds();

    // Abort from inside the walk, right when the header of the 200 MiB file has
    // been read and its content is still to stream: truly mid-layer.
    const ac = new AbortController();
    let abortedAt = 0;
    const aborter: Analyzer = {
      id: "test-aborter",
      rules: [],
      wantsContent(e) {
        if (e.path === "/data/big.bin") {
          abortedAt = performance.now();
          ac.abort();
        }
        return 0;
      },
      finish: () => [],
    };
    const err = await scan(`oci:${dir}/img`, { concurrency: 1, layerWorkers, signal: ac.signal, analyzers: [aborter] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const ended = performance.now();

    expect(abortedAt, "the walk reached the big file").toBeGreaterThan(0);
    expect(err, `scan was not aborted (full scan takes ${full.toFixed(0)} ms)`).toBeInstanceOf(LayerlintError);
    expect((err as LayerlintError).code).toBe("ABORTED");
    // Prompt: well before the rest of the 200 MiB layer could have been read.
    expect(ended - abortedAt).toBeLessThan(Math.max(100, full / 2));

    await settle(300);
    expect(await openFds()).toBeLessThanOrEqual(before);
  }, 120_000);

  it("rejects at once when the signal is already aborted", async () => {
    const ac = new AbortController();
    ac.abort();
    const err = await scan(`oci:${dir}/img`, { signal: ac.signal }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LayerlintError);
    expect((err as LayerlintError).code).toBe("ABORTED");
  });
});

describe("temp files", () => {
  it("scan and files leave nothing in the temp directory, on success or on error", async () => {
    const tmp = await mkdtemp(`${tmpdir()}/layerlint-tmpdir-`);
    try {
      const env = { TMPDIR: tmp, TMP: tmp, TEMP: tmp };
      const inputs = [
        `${fixturesOut}/layers.oci.tar`,
        `${fixturesOut}/layers.docker.tar`,
        `oci:${fixturesOut}/mixed.oci`,
        `${fixturesOut}/demo.oci.tar`,
      ];
      for (const input of inputs) {
        for (const cmd of ["scan", "files"]) {
          const r = await runCli([cmd, "--format", "json", input], { env });
          expect(r.code, r.stderr).toBe(0);
        }
      }
      const bad = await runCli(["scan", `${fixturesOut}/catalog.json`], { env });
      expect(bad.code).toBe(2);
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }, 120_000);
});
