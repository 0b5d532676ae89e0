// Property: on adversarial layer stacks (test/oracle/adversarial.ts),
// layerlint's final filesystem, findings and user verdict agree with what
// containerd's archive.Apply / oci.WithUser and moby's UnpackLayer / runc's
// GetExecUser produce (the rules are in test/oracle/verdict.ts).
//
// One oracle process runs every sample (a process per sample would cost
// seconds each), so samples are drawn up front with fc.sample from the
// shared seed (runs.ts; FUZZ_RUNS scales the count) and checked together:
// a failure lists the samples, in full, instead of a shrunk counterexample.
// layerlint runs in-process through the core library for the same reason.
import fc from "fast-check";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { describe, expect, it } from "vitest";
import { fileRecord, loadImage, openSource, scan } from "../../packages/core/dist/index.js";
import { describeStack, encodeLayer, layerStack } from "../oracle/adversarial.js";
import type { Ours } from "../oracle/compare.js";
import { baseLayer, writeImage } from "../oracle/corpus.js";
import { runOracle } from "../oracle/oracle.js";
import { appliedBy, treeVerdictProblems, userProblems } from "../oracle/verdict.js";
import { params, timeout } from "./runs.js";

async function ours(input: string): Promise<Ours> {
  const source = await openSource(input);
  try {
    const img = await loadImage(source, { layerWorkers: "never" });
    const records = [...img.fs.files].map(fileRecord);
    const report = await scan(input, { layerWorkers: "never" });
    return { root: records.find((r) => r.path === "/")!, files: records.filter((r) => r.path !== "/"), findings: report.findings };
  } finally {
    await source.close();
  }
}

describe("runtime oracle: adversarial tar streams", () => {
  it(
    "layerlint sees what containerd and moby unpack",
    async () => {
      const samples = fc.sample(layerStack, params(100));
      const tmp = await mkdtemp(`${os.tmpdir()}/layerlint-runtime-prop-`);
      try {
        const base = await baseLayer();
        const images = await Promise.all(samples.map((s, i) => writeImage(`${tmp}/s${i}`, [base, ...s.map(encodeLayer)], "app")));
        const results = await runOracle(
          images.map((img) => ({ layers: img.layerFiles, user: img.user })),
          tmp,
        );
        const failures: string[] = [];
        let compared = 0;
        for (const [i, o] of results.entries()) {
          if (appliedBy(o) === "neither") continue;
          compared++;
          let problems: string[];
          try {
            const mine = await ours(images[i]!.input);
            problems = [...treeVerdictProblems(o, mine), ...userProblems(o, mine.findings)];
          } catch (e) {
            problems = [`layerlint refused the image: ${(e as Error).message}`];
          }
          if (problems.length > 0) failures.push(`${describeStack(samples[i]!)}\n    ${problems.join("\n    ")}`);
        }
        // Not vacuous: most samples are unpacked by at least one runtime.
        expect(compared).toBeGreaterThan(samples.length / 2);
        expect(failures.slice(0, 8), `${failures.length} of ${compared} samples differ (first 8 shown)`).toEqual([]);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    },
    timeout(120_000),
  );
});
