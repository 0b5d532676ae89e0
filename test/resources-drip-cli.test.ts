// The CLI against a manifest dripped at one byte per second, with nothing
// configured: the documented per-request deadline (60 s) ends it with exit
// 2 and one line, whatever the server does. Its own file, so its minute of
// waiting overlaps the other tests. A child process, peak RSS measured.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBounded } from "./helpers/bounded-run.js";
import { cliPath, fixturesOut } from "./helpers/cli.js";
import { startDripRegistry, type DripRegistry } from "./helpers/drip-registry.js";
import { defaultTimeouts } from "../packages/core/dist/index.js";

const MiB = 1024 * 1024;
let reg: DripRegistry;
let work: string;

describe("layerlint scan of a registry that drips its manifest", () => {
  beforeAll(async () => {
    work = await mkdtemp(`${tmpdir()}/layerlint-drip-`);
    reg = await startDripRegistry(`${fixturesOut}/demo.oci`, "drip", "latest", { manifest: { bytes: 1, everyMs: 1000 } });
  });
  afterAll(async () => {
    await reg.close();
    await rm(work, { recursive: true, force: true });
  });

  it("exits 2 with one line at the default 60 s deadline, having asked for the manifest once", async () => {
    const deadline = defaultTimeouts.documentMs;
    const r = await runBounded(cliPath, ["scan", `${reg.host}/drip:latest`, "--plain-http"], {
      killAtBytes: 1024 * MiB,
      killAfterMs: deadline + 60_000,
      stdoutFile: `${work}/stdout`,
    });
    expect(r.killed).toBeUndefined();
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`error: ${reg.host}: GET /v2/drip/manifests/latest: no complete response within 60 s\n`);
    expect(reg.seen.filter((l) => l.includes("/manifests/"))).toHaveLength(1);
    expect(r.wallMs).toBeGreaterThanOrEqual(deadline);
    expect(r.wallMs).toBeLessThan(deadline + 15_000);
    expect(r.peakRssBytes).toBeLessThan(512 * MiB);
  }, 150_000);
});
