import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeBigImage } from "./helpers/big-image.js";
import { repoRoot } from "./helpers/cli.js";

// No layer is written to disk or held whole in memory.
// A 1 GiB layer is scanned in a child process whose peak RSS must stay
// under 300 MB.
const GiB = 1024 * 1024 * 1024;
let dir: string;

describe("memory stays flat on a 1 GiB layer", () => {
  beforeAll(async () => {
    dir = await mkdtemp(`${tmpdir()}/layerlint-big-`);
    await writeBigImage(dir, GiB);
  }, 600_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(["never", "always"])("scans with peak RSS under 300 MB (layer workers: %s)", (mode) => {
    const r = spawnSync(process.execPath, [`${repoRoot}test/helpers/rss-child.mjs`, `oci:${dir}`, mode], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { maxRssKiB: number; uncompressed: number; files: number };
    expect(out.uncompressed).toBeGreaterThan(GiB);
    expect(out.files).toBe(11);
    expect(out.maxRssKiB * 1024).toBeLessThan(300 * 1000 * 1000);
  }, 600_000);
});
