// A 1 GiB `docker save` archive piped into the CLI (`docker save x |
// layerlint scan -`): read in one pass, every layer walked as it streams
// past and verified once manifest.json (written last) arrives. The child's
// peak RSS must stay under the bound of an archive read in place (256 MiB,
// README "Performance"): no layer is ever held. The archive is generated as
// it is written into the pipe (test/helpers/docker-save-stream.ts).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBounded } from "./helpers/bounded-run.js";
import { cliPath } from "./helpers/cli.js";
import { dockerSaveStream, planBytes, planFiles, type StreamPlan } from "./helpers/docker-save-stream.js";
import { MiB } from "./helpers/resource-images.js";

const IN_PLACE_BOUND = 256 * MiB;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(`${tmpdir()}/layerlint-streamed-`);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("a 1 GiB docker save archive on standard input", () => {
  // 8 layers, each 2,500 small files and 32 files of 4 MiB: 1.13 GB.
  const plan: StreamPlan = { layers: 8, smallFiles: 2500, smallSize: 2048, largeFiles: 32, largeSize: 4 * MiB };

  it("is scanned in one pass within the in-place memory bound", async () => {
    expect(planBytes(plan)).toBeGreaterThan(1024 * MiB);
    const r = await runBounded(cliPath, ["scan", "--format", "json", "-"], {
      stdin: dockerSaveStream(plan),
      killAtBytes: 1024 * MiB,
      killAfterMs: 170_000,
      stdoutFile: `${work}/report.json`,
      keepStdout: 16 * MiB,
    });
    expect(r.killed, `killed by the parent (peak ${Math.round(r.peakRssBytes / MiB)} MiB)`).toBeUndefined();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout!) as {
      image: { input: string; source: string; sizes: { files: number; uncompressed: number }; layers: unknown[] };
    };
    expect(report.image.input).toBe("-");
    expect(report.image.source).toBe("docker-archive");
    expect(report.image.layers).toHaveLength(plan.layers);
    expect(report.image.sizes.files).toBe(planFiles(plan));
    expect(report.image.sizes.uncompressed).toBe(planBytes(plan));
    expect(r.peakRssBytes, "peak RSS").toBeLessThan(IN_PLACE_BOUND);
  }, 180_000);
});
