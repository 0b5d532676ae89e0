// `info` on a registry reference reads manifests and config only, as
// `crane config` does: the real distribution registry behind a proxy that
// logs every request must see no layer blob request. It lists the index
// digest and every platform of a multi-platform image, marking the one
// chosen; that index digest is what `digest` prints (for the registry
// reference and for the same image in a local layout, and equal to
// skopeo's), and what `scan` pins a multi-platform tag to.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fixturesOut, runCli } from "./helpers/cli.js";
import { ensureRegistryTools, startRegistry, type RunningRegistry } from "./registry/registry.js";
import { startScriptedProxy, type ScriptedProxy } from "./registry/fault-proxy.js";
import { skopeoDigest, skopeoPush } from "./registry/skopeo.js";

interface InfoJson {
  source: string;
  index: { digest: string; manifests: { digest: string; platform: string | null; kind: string; chosen: boolean }[] } | null;
  manifestDigest: string;
  configDigest: string;
  platform: string;
  layersRead: boolean;
  sizes: { compressed: number; uncompressed: number | null; wasted: number | null };
  layers: { digest: string; compressedSize: number; uncompressedSize: number | null; entries: number | null; createdBy: string | null }[];
}

let reg: RunningRegistry;
let proxy: ScriptedProxy;

beforeAll(async () => {
  ensureRegistryTools();
  reg = await startRegistry({ kind: "none" });
  await Promise.all([
    skopeoPush("multiarch.oci", "multiarch:v1", `${reg.host}/multiarch:v1`, { all: true }),
    skopeoPush("demo.oci", "demo:latest", `${reg.host}/demo:latest`),
  ]);
  proxy = await startScriptedProxy(reg.port);
});

afterAll(async () => {
  await proxy?.stop();
  await reg?.stop();
});

async function json<T>(args: string[]): Promise<T> {
  const r = await runCli(args);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

/** `info` through the logging proxy, with the blob paths it requested. */
async function infoLogged(args: string[]): Promise<{ info: InfoJson; blobs: string[]; manifests: number }> {
  const from = proxy.seen.length;
  const info = await json<InfoJson>(["info", ...args, "-f", "json"]);
  const seen = proxy.seen.slice(from);
  const blobs = seen.filter((r) => /\/blobs\//.test(r.path)).map((r) => r.path.slice(r.path.lastIndexOf("/") + 1));
  return { info, blobs, manifests: seen.filter((r) => /\/manifests\//.test(r.path)).length };
}

describe("info on a registry reference", () => {
  it("reads the index, the chosen manifest and the config, and no layer blob", async () => {
    const { info, blobs, manifests } = await infoLogged([`${proxy.host}/multiarch:v1`]);
    expect(manifests).toBe(2); // the index by tag, then the linux/amd64 manifest
    expect(blobs).toEqual([info.configDigest]);
    expect(info.layersRead).toBe(false);
    for (const l of info.layers) {
      expect(blobs).not.toContain(l.digest);
      expect(l.uncompressedSize).toBeNull();
      expect(l.entries).toBeNull();
    }
    expect(info.sizes.uncompressed).toBeNull();
    expect(info.sizes.compressed).toBe(info.layers.reduce((s, l) => s + l.compressedSize, 0));
  });

  it("lists the index digest and every platform, marking the one chosen", async () => {
    const { info } = await infoLogged([`${proxy.host}/multiarch:v1`]);
    const layoutIndex = JSON.parse(readFileSync(`${fixturesOut}/multiarch.oci/index.json`, "utf8")) as { manifests: { digest: string }[] };
    expect(info.index?.digest).toBe(layoutIndex.manifests[0]!.digest);
    expect(info.index?.digest).toBe(await skopeoDigest(`${reg.host}/multiarch:v1`));
    const images = info.index!.manifests.filter((m) => m.kind === "image");
    expect(images.map((m) => m.platform)).toEqual(["linux/amd64", "linux/arm64/v8", "linux/arm/v7"]);
    expect(info.index!.manifests.filter((m) => m.kind === "attestation")).toHaveLength(2);
    expect(info.index!.manifests.filter((m) => m.chosen).map((m) => m.digest)).toEqual([info.manifestDigest]);
    expect(images[0]!.chosen).toBe(true);
    expect(info.platform).toBe("linux/amd64");

    const arm = await infoLogged([`${proxy.host}/multiarch:v1`, "--platform", "linux/arm64"]);
    expect(arm.blobs).toEqual([arm.info.configDigest]);
    expect(arm.info.index!.manifests.find((m) => m.chosen)?.platform).toBe("linux/arm64/v8");
    expect(arm.info.manifestDigest).toBe(images[1]!.digest);

    const text = await runCli(["info", `${proxy.host}/multiarch:v1`]);
    expect(text.stdout).toContain(`index     ${info.index!.digest} (5 entries; * chosen)\n`);
    expect(text.stdout).toMatch(new RegExp(`\\n  \\*  linux/amd64 +image +${images[0]!.digest}\\n`));
    expect(text.stdout).toContain("(from the manifest; layers not downloaded: scan or files reads them)");
  });

  it("a single-platform image: no index, the manifest's layer sizes, equal to the local layout's", async () => {
    const { info, blobs } = await infoLogged([`${proxy.host}/demo:latest`]);
    expect(info.index).toBeNull();
    expect(blobs).toEqual([info.configDigest]);
    const local = await json<InfoJson>(["info", `${fixturesOut}/demo.oci`, "-f", "json"]);
    expect(info.manifestDigest).toBe(local.manifestDigest);
    expect(info.layers.map((l) => [l.digest, l.compressedSize, l.createdBy])).toEqual(local.layers.map((l) => [l.digest, l.compressedSize, l.createdBy]));
    expect(local.layersRead).toBe(true);
    expect(local.sizes.uncompressed).toBeGreaterThan(0);
  });
});

describe("the index digest is what digest prints and what scan pins", () => {
  it("digest: registry reference, local layout and skopeo agree", async () => {
    const want = await skopeoDigest(`${reg.host}/multiarch:v1`);
    for (const input of [`${reg.host}/multiarch:v1`, `oci:${fixturesOut}/multiarch.oci:multiarch:v1`, `${fixturesOut}/multiarch.oci`, `oci-archive:${fixturesOut}/multiarch.oci.tar`]) {
      const r = await runCli(["digest", input]);
      expect(r.stdout, `${input}: ${r.stderr}`).toBe(`${want}\n`);
    }
    const demo = await runCli(["digest", `${fixturesOut}/demo.oci.tar`]);
    expect(demo.stdout).toBe(`${await skopeoDigest(`${reg.host}/demo:latest`)}\n`);
    const arm = await runCli(["digest", `${fixturesOut}/multiarch.oci`, "--platform", "linux/arm64"]);
    const armInfo = await json<InfoJson>(["info", `${fixturesOut}/multiarch.oci`, "--platform", "linux/arm64", "-f", "json"]);
    expect(arm.stdout).toBe(`${armInfo.manifestDigest}\n`);
  });

  it("digest refuses the digest layerlint would make up for a docker save archive", async () => {
    const r = await runCli(["digest", `docker-archive:${fixturesOut}/demo.docker.tar`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: docker-archive:.*demo\.docker\.tar: docker save's manifest\.json records no manifest, so this image has no manifest digest \(its config digest, docker's image ID, is sha256:[0-9a-f]{64}\); /);
  });

  it("scan pins a multi-platform tag to its index digest, the platform's manifest beside it", async () => {
    const index = await skopeoDigest(`${reg.host}/multiarch:v1`);
    const report = await json<{ image: { pinnedReference: string; indexDigest?: string; manifestDigest: string; platform: string } }>([
      "scan",
      `${reg.host}/multiarch:v1`,
      "--quiet",
      "--format",
      "json",
    ]);
    expect(report.image.pinnedReference).toBe(`${reg.host}/multiarch@${index}`);
    expect(report.image.indexDigest).toBe(index);
    const info = await json<InfoJson>(["info", `${reg.host}/multiarch:v1`, "-f", "json"]);
    expect(report.image.manifestDigest).toBe(info.manifestDigest);
    expect(report.image.manifestDigest).not.toBe(index);

    const text = await runCli(["scan", `${reg.host}/multiarch:v1`, "--quiet"]);
    expect(text.stdout).toContain(`index    ${index}\nmanifest ${info.manifestDigest} (linux/amd64)\n`);
    expect(text.stdout).toContain(`pinned: ${reg.host}/multiarch@${index}`);

    // A single-platform image keeps its manifest digest and has no indexDigest.
    const demo = await json<{ image: { pinnedReference: string; indexDigest?: string; manifestDigest: string } }>(["scan", `${reg.host}/demo:latest`, "--quiet", "--format", "json"]);
    expect(demo.image.pinnedReference).toBe(`${reg.host}/demo@${demo.image.manifestDigest}`);
    expect(demo.image.indexDigest).toBeUndefined();
  });
});
