// Archives that could load as more than one image: a tag or name given to
// several images (the last wins, as docker load and ctr import leave it,
// with a warning), and an archive whose OCI layout and manifest.json name
// different images (an error naming both).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJsonLines, runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/gate.js";
import {
  dir, dockerSaveEntry, dockerSaveFiles, file, image, indexJson, json, layer, layoutFiles, MT, OCI_LAYOUT, packTar, sha256, writeArchive, writeTree,
  type Built,
} from "./hostile/build.js";
import { REF_NAME } from "../fixtures/lib/oci-layout.js";

let tmp: { dir: string; cleanup: () => Promise<void> };
let a: Built;
let b: Built;
beforeAll(async () => {
  tmp = await tempDir("layerlint-ambiguous-");
  // Two images told apart by one file: /app/a.txt or /app/b.txt.
  const one = async (name: string, platform: Record<string, string> = {}) =>
    image({ layers: [layer(await packTar([dir("app"), file(`app/${name}.txt`, `${name}\n`)]), "none")], config: (c) => Object.assign(c, platform) });
  a = await one("a");
  b = await one("b");
});
afterAll(async () => {
  await tmp.cleanup();
});

const short = (digest: string) => `${digest.slice(0, "sha256:".length + 12)}…`;
const appFiles = (stdout: string) => parseJsonLines<{ path: string }>(stdout).map((f) => f.path).filter((p) => p.endsWith(".txt"));
const entry = (x: Built, extra: Record<string, unknown>) => ({ mediaType: MT.manifest, digest: x.manifest.digest, size: x.manifest.size, ...extra });

describe("a name on several images", () => {
  it("docker archive: a tag on two images reads the last, as docker load leaves the tag, with one warning", async () => {
    const tar = await writeArchive(`${tmp.dir}/dup.tar`, dockerSaveFiles([{ b: a, tags: ["app:1", "app:2"] }, { b, tags: ["app:1"] }]));
    const warningFor = (tag: string) => `warning: ${tar}: tag ${tag} names 2 images; using the last, as docker load does (${short(b.config.digest)})\n`;
    const warning = warningFor("app:1");
    // The tag as the user wrote it; docker.io/library/app:1 is the same tag.
    for (const tag of ["app:1", "docker.io/library/app:1"]) {
      const r = await runCli(["files", `docker-archive:${tar}:${tag}`, "--format", "json"]);
      expect({ code: r.code, stderr: r.stderr }, tag).toEqual({ code: 0, stderr: warningFor(tag) });
      expect(appFiles(r.stdout)).toEqual(["/app/b.txt"]);
    }
    // The warning reaches the terminal from scan too.
    const scan = await runCli(["scan", `docker-archive:${tar}:app:1`, "--format", "json"]);
    expect({ code: scan.code, stderr: scan.stderr }).toEqual({ code: 0, stderr: warning });
    // A tag on one image: no warning.
    const two = await runCli(["files", `docker-archive:${tar}:app:2`, "--format", "json"]);
    expect({ code: two.code, stderr: two.stderr }).toEqual({ code: 0, stderr: "" });
    expect(appFiles(two.stdout)).toEqual(["/app/a.txt"]);
  });

  it("docker archive without a ref: entries that all carry the same tag read the last; different tags still need a ref", async () => {
    const same = await writeArchive(`${tmp.dir}/same.tar`, dockerSaveFiles([{ b: a, tags: ["app:1"] }, { b, tags: ["app:1"] }]));
    const r = await runCli(["files", same, "--format", "json"]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 0,
      stderr: `warning: ${same}: tag app:1 names 2 images; using the last, as docker load does (${short(b.config.digest)})\n`,
    });
    expect(appFiles(r.stdout)).toEqual(["/app/b.txt"]);
    const differ = await writeArchive(`${tmp.dir}/differ.tar`, dockerSaveFiles([{ b: a, tags: ["app:1"] }, { b, tags: ["app:2"] }]));
    const d = await runCli(["files", differ]);
    expect({ code: d.code, stderr: d.stderr }).toEqual({ code: 2, stderr: `error: ${differ}: holds several images, pick one with :REF; available: app:1, app:2\n` });
  });

  it("OCI layout: two index.json entries named app:1 read the last, as ctr import leaves the name, with one warning", async () => {
    const files = [
      OCI_LAYOUT,
      { path: "index.json", data: indexJson([entry(a, { annotations: { [REF_NAME]: "app:1" } }), entry(b, { annotations: { [REF_NAME]: "app:1" } })]) },
      ...a.files,
      ...b.files,
    ];
    const layout = await writeTree(`${tmp.dir}/dup.oci`, files);
    const warning = `warning: ${layout}: app:1 names 2 images in index.json; using the last, as ctr import does (${short(b.manifest.digest)})\n`;
    for (const input of [`oci:${layout}:app:1`, `oci:${layout}`]) {
      const r = await runCli(["files", input, "--format", "json"]);
      expect({ code: r.code, stderr: r.stderr }, input).toEqual({ code: 0, stderr: warning });
      expect(appFiles(r.stdout)).toEqual(["/app/b.txt"]);
    }
    const tar = await writeArchive(`${tmp.dir}/dup.oci.tar`, files);
    const r = await runCli(["files", `oci-archive:${tar}:app:1`, "--format", "json"]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: warning.replace(layout, tar) });
  });

  it("OCI layout: one name on one image per platform is a multi-platform set, read by --platform without a warning", async () => {
    const arm = image({ layers: [layer(await packTar([dir("app"), file("app/arm.txt", "arm\n")]), "none")], config: (c) => (c.architecture = "arm64") });
    const layout = await writeTree(`${tmp.dir}/set.oci`, [
      OCI_LAYOUT,
      {
        path: "index.json",
        data: indexJson([
          entry(a, { annotations: { [REF_NAME]: "app:1" }, platform: { os: "linux", architecture: "amd64" } }),
          entry(arm, { annotations: { [REF_NAME]: "app:1" }, platform: { os: "linux", architecture: "arm64" } }),
        ]),
      },
      ...a.files,
      ...arm.files,
    ]);
    for (const [platform, want] of [["linux/amd64", "/app/a.txt"], ["linux/arm64", "/app/arm.txt"]] as const) {
      const r = await runCli(["files", `oci:${layout}:app:1`, "--format", "json", "--platform", platform]);
      expect({ code: r.code, stderr: r.stderr }, platform).toEqual({ code: 0, stderr: "" });
      expect(appFiles(r.stdout)).toEqual([want]);
    }
  });
});

describe("an archive with both an OCI layout and manifest.json", () => {
  /** A layout naming `inLayout` and a manifest.json naming `inManifest`, in one tar. */
  async function both(name: string, inLayout: Built, inManifest: Built, tags = ["app:1"]): Promise<string> {
    return writeArchive(`${tmp.dir}/${name}`, [
      ...layoutFiles(inLayout, { annotations: { [REF_NAME]: "app:1" } }),
      ...inManifest.files,
      { path: "manifest.json", data: json([dockerSaveEntry(inManifest, tags)]) },
    ]);
  }

  it("naming different images is an error naming both configs, however the archive is opened", async () => {
    const tar = await both("disagree.tar", a, b);
    const line = `error: ${tar}: index.json and manifest.json describe different images (${short(a.config.digest)} vs ${short(b.config.digest)})\n`;
    for (const input of [tar, `oci-archive:${tar}`, `docker-archive:${tar}`, `oci-archive:${tar}:app:1`, `docker-archive:${tar}:app:1`]) {
      const r = await runCli(["scan", input]);
      expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }, input).toEqual({ code: 2, stdout: "", stderr: line });
    }
  });

  it("naming the same image reads the layout, as containerd does; a name only one side knows is no conflict", async () => {
    const agree = await both("agree.tar", a, a);
    const r = await runCli(["files", agree, "--format", "json"]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(appFiles(r.stdout)).toEqual(["/app/a.txt"]);
    // manifest.json tags other:1 only: `:app:1` is the layout's name alone.
    const other = await both("other.tar", a, b, ["other:1"]);
    const named = await runCli(["files", `oci-archive:${other}:app:1`, "--format", "json"]);
    expect({ code: named.code, stderr: named.stderr }).toEqual({ code: 0, stderr: "" });
    expect(appFiles(named.stdout)).toEqual(["/app/a.txt"]);
  });

  it("a multi-platform layout with manifest.json for one of its platforms (docker save on the containerd store) is no conflict", async () => {
    const arm = image({ layers: [layer(await packTar([dir("app"), file("app/arm.txt", "arm\n")]), "none")], config: (c) => (c.architecture = "arm64") });
    const nested = indexJson([
      entry(a, { platform: { os: "linux", architecture: "amd64" } }),
      entry(arm, { platform: { os: "linux", architecture: "arm64" } }),
    ]);
    const nestedDigest = sha256(nested);
    const files = (manifestOf: Built) => [
      OCI_LAYOUT,
      { path: "index.json", data: indexJson([{ mediaType: MT.index, digest: nestedDigest, size: nested.length, annotations: { [REF_NAME]: "app:1" } }]) },
      { path: `blobs/sha256/${nestedDigest.slice(7)}`, data: nested },
      ...a.files,
      ...arm.files,
      ...b.files,
      { path: "manifest.json", data: json([dockerSaveEntry(manifestOf, ["app:1"])]) },
    ];
    const fine = await writeArchive(`${tmp.dir}/multi.tar`, files(a));
    for (const [platform, want] of [["linux/amd64", "/app/a.txt"], ["linux/arm64", "/app/arm.txt"]] as const) {
      const r = await runCli(["files", fine, "--format", "json", "--platform", platform]);
      expect({ code: r.code, stderr: r.stderr }, platform).toEqual({ code: 0, stderr: "" });
      expect(appFiles(r.stdout)).toEqual([want]);
    }
    // manifest.json's amd64 image is not the layout's amd64 image: an error, whichever platform is asked for.
    const bad = await writeArchive(`${tmp.dir}/multi-bad.tar`, files(b));
    const r = await runCli(["files", bad, "--platform", "linux/arm64"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*multi-bad\.tar: index\.json and manifest\.json describe different images \(sha256:[0-9a-f]{12}… vs sha256:[0-9a-f]{12}…\)\n$/);
  });
});
