import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fixturesOut, runCli } from "./helpers/cli.js";
import { copyLayout, corruptBlob, editConfig, readManifest } from "./helpers/layout-edit.js";

// A corrupt layer byte, or a wrong diff_id, ends the
// run with exit 2 and one line naming the digest; no stack trace.
let dir: string;

describe("digest verification", () => {
  beforeEach(async () => {
    dir = await mkdtemp(`${tmpdir()}/layerlint-integrity-`);
    await copyLayout(`${fixturesOut}/layers.oci`, `${dir}/img`);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("fails with exit 2 and the layer digest when one byte of a layer is corrupt", async () => {
    const { manifest } = await readManifest(`${dir}/img`);
    const layer = manifest.layers[1].digest as string;
    await corruptBlob(`${dir}/img`, layer);
    for (const cmd of ["files", "scan", "info"]) {
      const r = await runCli([cmd, `oci:${dir}/img`]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      // gzip may notice first (bad CRC/data) or the digest check: either way the layer is named.
      expect(r.stderr).toMatch(new RegExp(`^error: .*${layer.slice(0, 19)}.*(digest mismatch|corrupt|failed)`));
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
  });

  it("fails with exit 2 and the layer digest when a diff_id does not match", async () => {
    const { manifest } = await readManifest(`${dir}/img`);
    await editConfig(`${dir}/img`, (c) => {
      const id = c.rootfs.diff_ids[0] as string;
      c.rootfs.diff_ids[0] = id.slice(0, -1) + (id.endsWith("0") ? "1" : "0");
    });
    const r = await runCli(["files", `oci:${dir}/img`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: layer ${manifest.layers[0].digest.slice(0, 19)}.* diff_id mismatch`));
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("fails when the config blob does not match its digest", async () => {
    const { manifest } = await readManifest(`${dir}/img`);
    await corruptBlob(`${dir}/img`, manifest.config.digest);
    const r = await runCli(["info", `oci:${dir}/img`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: blob ${manifest.config.digest.slice(0, 19)}.* digest mismatch\n$`));
  });

  it("prints a stack trace only with --debug", async () => {
    const { manifest } = await readManifest(`${dir}/img`);
    await corruptBlob(`${dir}/img`, manifest.config.digest);
    const plain = await runCli(["info", `oci:${dir}/img`]);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const debug = await runCli(["--debug", "info", `oci:${dir}/img`]);
    expect(debug.code).toBe(2);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});
