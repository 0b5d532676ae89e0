// Independent peer check: umoci unpacks every fixture
// OCI layout it can into a real rootfs; `layerlint files --format json` must
// describe exactly that tree — path, type, mode, uid, gid, size and link.
// Skipped fixtures and why (fixtures/README.md): devices.oci
// (mknod: keep device nodes out of peer checks), mixed.oci (umoci 0.4.7 has
// no zstd: compared through its gzip twin mixed-gzip.oci), multiarch.oci
// ("tag is ambiguous": the ref names an index), mislabeled.oci (umoci trusts
// the media type).
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixturesOut, parseJsonLines, runCli } from "./helpers/cli.js";
import { ensureDebianPackages } from "./helpers/debian.js";
import { compareTrees, type FilesRecord, umociUnpack, walkTree } from "./helpers/umoci.js";

const PEER_FIXTURES: ReadonlyArray<{ layout: string; ref: string }> = [
  { layout: "layers.oci", ref: "layers:v1" },
  { layout: "mixed-gzip.oci", ref: "mixed:v1" },
  { layout: "demo.oci", ref: "demo:latest" },
  { layout: "distroless.oci", ref: "distroless:v1" },
  { layout: "repeated.oci", ref: "repeated:v1" },
  { layout: "multi-image.oci", ref: "app:1.0" },
  { layout: "multi-image.oci", ref: "app:2.0" },
];

async function files(input: string): Promise<FilesRecord[]> {
  const r = await runCli(["files", input, "--format", "json"]);
  if (r.code !== 0) throw new Error(`layerlint files ${input} exited ${r.code}: ${r.stderr}`);
  return parseJsonLines<FilesRecord>(r.stdout);
}

describe("umoci peer check: layerlint files equals the tree umoci unpacks", () => {
  let tmp: string;

  beforeAll(async () => {
    ensureDebianPackages({ umoci: "umoci" });
    tmp = await mkdtemp(`${os.tmpdir()}/layerlint-umoci-`);
  });

  afterAll(async () => {
    // As root this removes whatever umoci made (setuid files, fifos, read-only dirs).
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  });

  it.each(PEER_FIXTURES)("$layout:$ref", async ({ layout, ref }) => {
    const dir = `${fixturesOut}/${layout}`;
    const bundle = `${tmp}/${layout}-${ref.replace(/[^a-z0-9.]/gi, "_")}`;
    const [ours] = await Promise.all([files(`oci:${dir}:${ref}`), umociUnpack(dir, ref, bundle)]);
    const disk = walkTree(`${bundle}/rootfs`);
    // Not vacuous: both sides saw a real tree.
    expect(ours.length).toBeGreaterThan(0);
    expect(disk.size).toBeGreaterThan(0);
    expect(compareTrees(ours, disk)).toEqual([]);
    await rm(bundle, { recursive: true, force: true });
  });

  it("the layers fixture exercises what the comparison claims to cover", async () => {
    // Guards against the peer check going vacuous if the fixture changes.
    const ours = await files(`oci:${fixturesOut}/layers.oci:layers:v1`);
    const types = new Set(ours.map((r) => r.type));
    for (const t of ["file", "dir", "symlink", "hardlink", "fifo"] as const) expect(types).toContain(t);
    expect(ours.some((r) => r.mode.length === 4 && /^[4-7]/.test(r.mode))).toBe(true); // setuid/setgid/sticky
    expect(ours.some((r) => r.uid > 2097151)).toBe(true); // PAX uid
  });

  it("mixed.oci (zstd, umoci cannot unpack it) lists the same files as its gzip twin", async () => {
    const [zstd, gzip] = await Promise.all([
      files(`oci:${fixturesOut}/mixed.oci:mixed:v1`),
      files(`oci:${fixturesOut}/mixed-gzip.oci:mixed:v1`),
    ]);
    expect(zstd.length).toBeGreaterThan(0);
    expect(zstd).toEqual(gzip);
  });
});
