// Peer check for the docker save archives other tools write (real-world-sources.test.ts):
// where skopeo reads the same input, `skopeo copy` makes an OCI layout of it,
// umoci unpacks that, and `layerlint files` on the original input must list
// exactly the unpacked tree. skopeo cannot read an OCI layout whose
// descriptor says a Docker media type (containers/image accepts OCI types
// only there), so that tolerance has no peer here.
import { execFile } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJsonLines, runCli } from "./helpers/cli.js";
import { ensureDebianPackages } from "./helpers/debian.js";
import { tempDir } from "./helpers/gate.js";
import { compareTrees, umociUnpack, walkTree, type FilesRecord } from "./helpers/umoci.js";
import { dir, file, image, layer, packTar, sha256, writeArchive, type Built } from "./hostile/build.js";
import { hardlink, symlink, whiteout } from "../fixtures/lib/tar-pack.js";
import { docker25NullIndex, docker25Untagged, legacyArchive } from "./helpers/real-world.js";

const run = promisify(execFile);

let tmp: { dir: string; cleanup: () => Promise<void> };
let rich: Built;
let other: Built;

/** Two uncompressed layers with what a listing can get wrong: modes, setuid, owners, a symlink stored 0644, a hardlink, a whiteout. */
async function richImage(tag: string, config?: (c: Record<string, any>) => void): Promise<Built> {
  const lower = await packTar([
    dir("etc"),
    file("etc/os-release", `ID=peer\nVERSION_ID=${tag}\n`),
    dir("usr"),
    dir("usr/bin"),
    file("usr/bin/su", "#!su\n", 0o4755),
    file("usr/bin/tool", "tool\n", 0o750, { uid: 1000, gid: 1000 }),
    { ...symlink("usr/bin/sh", "tool"), mode: 0o644 },
    hardlink("usr/bin/tool2", "usr/bin/tool", 0o750, { uid: 1000, gid: 1000 }),
    dir("tmp", 0o1777),
    file("tmp/gone", "deleted above\n"),
  ]);
  const upper = await packTar([dir("tmp", 0o1777), whiteout("tmp/gone"), dir("app"), file(`app/${tag}.txt`, `${tag}\n`)]);
  return image({ layers: [layer(lower, "none"), layer(upper, "none")], ...(config ? { config } : {}) });
}

beforeAll(async () => {
  ensureDebianPackages({ umoci: "umoci", skopeo: "skopeo" });
  tmp = await tempDir("layerlint-real-world-peer-");
  rich = await richImage("rich");
  other = await richImage("other");
});
afterAll(async () => {
  await tmp.cleanup();
});

async function ours(input: string): Promise<FilesRecord[]> {
  const r = await runCli(["files", input, "--format", "json"]);
  if (r.code !== 0) throw new Error(`layerlint files ${input} exited ${r.code}: ${r.stderr}`);
  return parseJsonLines<FilesRecord>(r.stdout);
}

/** `skopeo copy SOURCE oci:DIR:peer`, then `umoci unpack`: the tree on disk. */
async function peer(source: string, name: string): Promise<ReturnType<typeof walkTree>> {
  const layout = `${tmp.dir}/${name}.oci`;
  const bundle = `${tmp.dir}/${name}.bundle`;
  await mkdir(layout, { recursive: true });
  await run("skopeo", ["copy", "--quiet", source, `oci:${layout}:peer`], { timeout: 60_000 });
  await umociUnpack(layout, "peer", bundle);
  const tree = walkTree(`${bundle}/rootfs`);
  await rm(bundle, { recursive: true, force: true });
  return tree;
}

async function expectSameTree(input: string, source: string, name: string): Promise<void> {
  const [mine, disk] = await Promise.all([ours(input), peer(source, name)]);
  // Not vacuous: both sides saw the tree, symlink and setuid file included.
  expect(mine.find((r) => r.path === "/usr/bin/sh")).toMatchObject({ type: "symlink", mode: "0777" });
  expect(mine.some((r) => r.path === "/usr/bin/su" && r.mode === "4755")).toBe(true);
  expect(disk.size).toBeGreaterThan(8);
  expect(compareTrees(mine, disk)).toEqual([]);
}

describe("skopeo + umoci peer: layerlint files lists what umoci unpacks from skopeo's copy", () => {
  it('a Docker 25.0.0 archive whose index.json says "manifests": null', async () => {
    const tar = await writeArchive(`${tmp.dir}/null.tar`, docker25NullIndex(rich));
    await expectSameTree(tar, `docker-archive:${tar}`, "null");
  });

  it("an untagged image of a Docker 25.0.2+ archive, chosen by ID (ours) and by position (skopeo's @1)", async () => {
    const tar = await writeArchive(`${tmp.dir}/untagged.tar`, docker25Untagged([other, rich]));
    await expectSameTree(`docker-archive:${tar}:${rich.config.digest.slice(7, 19)}`, `docker-archive:${tar}:@1`, "untagged");
  });

  it("a RepoTags entry written without a tag, chosen as name:latest", async () => {
    const tar = await writeArchive(`${tmp.dir}/tagless.tar`, legacyArchive([{ b: other, tags: ["other"] }, { b: rich, tags: ["test_image_1"] }]));
    await expectSameTree(`docker-archive:${tar}:test_image_1:latest`, `docker-archive:${tar}:@1`, "tagless");
  });

  it("a config whose file name is not its digest", async () => {
    const edited = await richImage("rich", (c) => c.history.unshift({ created_by: "edited by hand", empty_layer: true }));
    const tar = await writeArchive(`${tmp.dir}/edited.tar`, legacyArchive([{ b: edited, tags: ["app:1"], configName: `${rich.config.digest.slice(7)}.json` }]));
    expect(sha256(edited.config.data)).not.toBe(rich.config.digest);
    await expectSameTree(tar, `docker-archive:${tar}`, "edited");
  });
});
