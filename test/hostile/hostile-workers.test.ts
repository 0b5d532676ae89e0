// The hostile corpus again, through core's scan() with every layer decoded in
// a worker thread ("always") and with none ("never"): the two paths must end
// the same way, with the same error code and message or the same report.
// The CLI run of each case (hostile.test.ts) pins what that outcome is; the
// error code the case's outcome names is asserted here.
import { readdirSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LayerlintError, scan, type Analyzer, type LayerWorkersMode } from "../../packages/core/dist/index.js";
import { fixturesOut } from "../helpers/cli.js";
import { cases, isErrorCase } from "./cases.js";

let root: string;

beforeAll(async () => {
  root = await mkdtemp(`${tmpdir()}/layerlint-hostile-workers-`);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

type Outcome = { error: { code: string; message: string } } | { report: unknown };

async function outcome(input: string, platform: string | undefined, layerWorkers: LayerWorkersMode): Promise<Outcome> {
  try {
    const r = await scan(input, { platform, layerWorkers });
    return { report: { image: r.image, summary: r.summary, findings: r.findings } };
  } catch (e) {
    if (!(e instanceof LayerlintError)) throw e;
    return { error: { code: e.code, message: e.message } };
  }
}

const threads = async (): Promise<number> => (await readdir("/proc/self/task")).length;

describe("hostile corpus: worker and in-thread decoding agree", () => {
  it.each(cases)("$group: $id", async (c) => {
    const work = `${root}/${c.id}`;
    await mkdir(work);
    const input = await c.build(work);
    const i = c.flags?.indexOf("--platform") ?? -1;
    const platform = i >= 0 ? c.flags![i + 1] : undefined;
    const inThread = await outcome(input, platform, "never");
    const inWorker = await outcome(input, platform, "always");
    expect(inWorker).toEqual(inThread);
    // The outcome the CLI test pins: an error case errs here too, with the
    // LayerlintError code its outcome names ("error CODE (…)") and the
    // message the CLI printed. The CLI prints no code, so it is checked here,
    // on the error core throws, rather than by adding a code to the CLI's output.
    expect("error" in inWorker).toBe(isErrorCase(c));
    if ("error" in inWorker && isErrorCase(c)) {
      expect(inWorker.error.code).toBe(/^error ([A-Z0-9_]+) /.exec(c.outcome)![1]);
      expect(inWorker.error.message).toMatch(c.error);
    }
    await rm(work, { recursive: true, force: true });
  });

  it("really uses worker threads in \"always\" mode, and leaves none running after the scan", async () => {
    await new Promise((r) => setTimeout(r, 500));
    const base = await threads();
    let during = 0;
    const watcher: Analyzer = {
      id: "test-thread-watcher",
      rules: [],
      wantsContent() {
        during = Math.max(during, readdirSync("/proc/self/task").length);
        return 0;
      },
      finish: () => [],
    };
    await scan(`${fixturesOut}/layers.oci`, { layerWorkers: "always", analyzers: [watcher] });
    expect(during).toBeGreaterThan(base);
    // Terminated workers take a moment to be joined.
    let after = await threads();
    for (let i = 0; i < 50 && after > base; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await threads();
    }
    expect(after).toBeLessThanOrEqual(base);
  });
});
