// Inputs that docker load, skopeo and go-containerregistry read, as those
// tools (or their test data) write them: each case checks the exact outcome,
// the image read (its files and config digest), the warning, or the one
// error line.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJsonLines, runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/gate.js";
import { dockerSaveEntry, indexJson, json, layoutFiles, MT, OCI_LAYOUT, sha256, writeArchive, writeTree, type Built } from "./hostile/build.js";
import { REF_NAME } from "../fixtures/lib/oci-layout.js";
import {
  appImage, blobsOf, CONTAINERD_NAME, COSIGN_LAYER, cosignSignature, docker25NullIndex, docker25Untagged, DOCKER_LIST, DOCKER_MANIFEST, HELM_CONFIG, helmChart,
  imagesSharingPrefix, legacyArchive, sbom, servedImage, shortId, tinyRegistry,
} from "./helpers/real-world.js";

let tmp: { dir: string; cleanup: () => Promise<void> };
let a: Built;
let b: Built;
beforeAll(async () => {
  tmp = await tempDir("layerlint-real-world-");
  a = await appImage("a");
  b = await appImage("b");
});
afterAll(async () => {
  await tmp.cleanup();
});

const short = (digest: string) => `${digest.slice(0, "sha256:".length + 12)}…`;
/** The image read, by the one file that tells the fixtures apart. */
const appFiles = (stdout: string) => parseJsonLines<{ path: string }>(stdout).map((f) => f.path).filter((p) => p.endsWith(".txt"));

async function files(input: string): Promise<{ code: number; stderr: string; app: string[] }> {
  const r = await runCli(["files", input, "--format", "json"]);
  return { code: r.code, stderr: r.stderr, app: r.code === 0 ? appFiles(r.stdout) : [] };
}

async function configDigest(input: string): Promise<string> {
  const r = await runCli(["info", input, "--format", "json"]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { configDigest: string }).configDigest;
}

async function error(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runCli(args);
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

describe('Docker 25.0.0/25.0.1 archives whose index.json says "manifests": null', () => {
  it("are read through manifest.json with one warning, whether the path is bare or prefixed", async () => {
    for (const manifests of [null, []] as const) {
      const tar = await writeArchive(`${tmp.dir}/null-${manifests === null ? "null" : "empty"}.tar`, docker25NullIndex(a, manifests));
      const warning = `warning: ${tar}: index.json lists no images; reading manifest.json, as docker load does\n`;
      for (const input of [tar, `oci-archive:${tar}`, `docker-archive:${tar}`]) {
        expect(await files(input), input).toEqual({ code: 0, stderr: warning, app: ["/app/a.txt"] });
        expect(await configDigest(input)).toBe(a.config.digest);
      }
      // Its image ID selects it too.
      expect(await files(`oci-archive:${tar}:${shortId(a.config.digest)}`)).toEqual({ code: 0, stderr: warning, app: ["/app/a.txt"] });
    }
  });

  it("a layout directory with no images and no manifest.json to fall back on is an error", async () => {
    const layout = await writeTree(`${tmp.dir}/null.oci`, [OCI_LAYOUT, { path: "index.json", data: json({ schemaVersion: 2, manifests: null }) }]);
    expect(await error(["files", `oci:${layout}`])).toEqual({ code: 2, stdout: "", stderr: `error: ${layout}: index.json lists no images\n` });
  });
});

describe(":REF selects an image the way docker does", () => {
  it("docker archive: a RepoTags entry without a tag is :latest, and every Docker Hub spelling of a name is that name", async () => {
    const tar = await writeArchive(`${tmp.dir}/tags.tar`, [
      ...blobsOf(a),
      ...blobsOf(b),
      { path: "manifest.json", data: json([dockerSaveEntry(a, ["test_image_1"]), dockerSaveEntry(b, ["bazel/v1/tarball:test_image_2"])]) },
    ]);
    for (const ref of ["test_image_1", "test_image_1:latest", "library/test_image_1", "docker.io/library/test_image_1:latest", "index.docker.io/library/test_image_1:latest"]) {
      expect(await files(`docker-archive:${tar}:${ref}`), ref).toEqual({ code: 0, stderr: "", app: ["/app/a.txt"] });
    }
    for (const ref of ["bazel/v1/tarball:test_image_2", "docker.io/bazel/v1/tarball:test_image_2"]) {
      expect(await files(`docker-archive:${tar}:${ref}`), ref).toEqual({ code: 0, stderr: "", app: ["/app/b.txt"] });
    }
    expect(await error(["files", `docker-archive:${tar}:test_image_1:2`])).toEqual({
      code: 2,
      stdout: "",
      stderr: `error: ${tar}: no image tagged "test_image_1:2"; available: test_image_1, bazel/v1/tarball:test_image_2\n`,
    });
    expect(await error(["files", tar])).toEqual({
      code: 2,
      stdout: "",
      stderr: `error: ${tar}: holds several images, pick one with :REF; available: test_image_1, bazel/v1/tarball:test_image_2\n`,
    });
  });

  it("docker archive: the image ID (config digest) in full, as 64 hex digits, or as a prefix of 4 digits or more", async () => {
    const tar = await writeArchive(`${tmp.dir}/ids.tar`, legacyArchive([{ b: a, tags: ["app:1"] }, { b, tags: ["app:2"] }]));
    const hex = b.config.digest.slice("sha256:".length);
    for (const ref of [b.config.digest, hex, hex.slice(0, 12), `sha256:${hex.slice(0, 12)}`, hex.slice(0, 4)]) {
      expect(await files(`docker-archive:${tar}:${ref}`), ref).toEqual({ code: 0, stderr: "", app: ["/app/b.txt"] });
    }
    expect(await error(["files", `docker-archive:${tar}:${hex.slice(0, 3)}`])).toEqual({
      code: 2,
      stdout: "",
      stderr: `error: ${tar}: no image tagged "${hex.slice(0, 3)}" (an image ID prefix takes at least 4 hex digits); available: app:1, app:2\n`,
    });
  });

  it("a short ID that begins two images' IDs is ambiguous, as moby says, and lists both", async () => {
    const [x, y] = await imagesSharingPrefix(4);
    const tar = await writeArchive(`${tmp.dir}/ambiguous.tar`, legacyArchive([{ b: x, tags: ["x:1"] }, { b: y, tags: ["y:1"] }]));
    const prefix = x.config.digest.slice(7, 11);
    expect(await error(["files", `docker-archive:${tar}:${prefix}`])).toEqual({
      code: 2,
      stdout: "",
      stderr: `error: ${tar}: "${prefix}" is ambiguous; it begins 2 image digests: ${shortId(x.config.digest)}, ${shortId(y.config.digest)}\n`,
    });
    expect(await files(`docker-archive:${tar}:${shortId(y.config.digest)}`)).toEqual({ code: 0, stderr: "", app: ["/app/b.txt"] });
  });

  it("several untagged images: select one by digest, from the list the error gives; one image listed twice is one image", async () => {
    const untagged = await writeArchive(`${tmp.dir}/untagged.tar`, legacyArchive([{ b: a, tags: null }, { b, tags: null }]));
    const ids = [a, b].map((x) => shortId(x.config.digest));
    expect(await error(["files", untagged])).toEqual({
      code: 2,
      stdout: "",
      stderr: `error: ${untagged}: holds several images; select one by digest: ${ids.join(", ")}\n`,
    });
    expect(await files(`docker-archive:${untagged}:${ids[1]}`)).toEqual({ code: 0, stderr: "", app: ["/app/b.txt"] });
    const twice = await writeArchive(`${tmp.dir}/twice.tar`, legacyArchive([{ b: a, tags: ["app:1"] }, { b: a, tags: ["app:2"] }]));
    expect(await files(twice)).toEqual({ code: 0, stderr: "", app: ["/app/a.txt"] });
  });

  it("tagged and untagged images together: 'available:' lists each by what selects it, a tag or its ID", async () => {
    const mixed = await writeArchive(`${tmp.dir}/mixed.tar`, legacyArchive([{ b: a, tags: ["app:1"] }, { b, tags: null }]));
    const available = `available: app:1, ${shortId(b.config.digest)}`;
    expect(await error(["files", `docker-archive:${mixed}:nope`])).toEqual({ code: 2, stdout: "", stderr: `error: ${mixed}: no image tagged "nope"; ${available}\n` });
    expect(await error(["files", mixed])).toEqual({ code: 2, stdout: "", stderr: `error: ${mixed}: holds several images, pick one with :REF; ${available}\n` });
    // Every name the list gives is one that selects.
    expect(await files(`docker-archive:${mixed}:app:1`)).toEqual({ code: 0, stderr: "", app: ["/app/a.txt"] });
    expect(await files(`docker-archive:${mixed}:${shortId(b.config.digest)}`)).toEqual({ code: 0, stderr: "", app: ["/app/b.txt"] });
  });

  it("OCI layout: containerd's name in docker's spellings, ref.name as written, the manifest digest, NAME@DIGEST", async () => {
    const layout = await writeTree(`${tmp.dir}/names.oci`, [
      OCI_LAYOUT,
      {
        path: "index.json",
        data: indexJson([
          { mediaType: MT.manifest, digest: a.manifest.digest, size: a.manifest.size, annotations: { [CONTAINERD_NAME]: "docker.io/library/app:1", [REF_NAME]: "1" } },
          { mediaType: MT.manifest, digest: b.manifest.digest, size: b.manifest.size, annotations: { [REF_NAME]: "ghcr.io/org/b:2" } },
        ]),
      },
      ...a.files,
      ...b.files,
    ]);
    const aRefs = ["app:1", "library/app:1", "docker.io/library/app:1", "index.docker.io/library/app:1", "1", a.manifest.digest, `app@${a.manifest.digest}`, shortId(a.manifest.digest)];
    for (const ref of aRefs) expect(await files(`oci:${layout}:${ref}`), ref).toEqual({ code: 0, stderr: "", app: ["/app/a.txt"] });
    expect(await files(`oci:${layout}:ghcr.io/org/b:2`)).toEqual({ code: 0, stderr: "", app: ["/app/b.txt"] });
    const available = "available: app:1, ghcr.io/org/b:2";
    expect(await error(["files", `oci:${layout}:other@${a.manifest.digest}`])).toEqual({
      code: 2,
      stdout: "",
      stderr: `error: ${layout}: no image named "other@${a.manifest.digest}"; ${available}\n`,
    });
    expect(await error(["files", `oci:${layout}`])).toEqual({ code: 2, stdout: "", stderr: `error: ${layout}: holds several images, pick one with :REF; ${available}\n` });
  });

  it("OCI layout: two entries for one manifest digest are one image, read without a ref", async () => {
    const layout = await writeTree(`${tmp.dir}/same.oci`, [
      OCI_LAYOUT,
      {
        path: "index.json",
        data: indexJson(["app:1", "app:latest"].map((n) => ({ mediaType: MT.manifest, digest: a.manifest.digest, size: a.manifest.size, annotations: { [REF_NAME]: n } }))),
      },
      ...a.files,
    ]);
    expect(await files(`oci:${layout}`)).toEqual({ code: 0, stderr: "", app: ["/app/a.txt"] });
    expect(await files(`oci:${layout}:app`)).toEqual({ code: 0, stderr: "", app: ["/app/a.txt"] });
  });

  it("untagged, platform-less images (docker save ID1 ID2 on Docker 25.0.2+): several images by digest, never 'no image for platform'", async () => {
    const layout = await writeTree(`${tmp.dir}/untagged.oci`, layoutOf([a, b]));
    const byManifest = [a, b].map((x) => shortId(x.manifest.digest)).join(", ");
    expect(await error(["files", `oci:${layout}`])).toEqual({ code: 2, stdout: "", stderr: `error: ${layout}: holds several images; select one by digest: ${byManifest}\n` });
    const tar = await writeArchive(`${tmp.dir}/untagged25.tar`, docker25Untagged([a, b]));
    for (const input of [tar, `oci-archive:${tar}`, `docker-archive:${tar}`]) {
      expect(await error(["files", input]), input).toEqual({ code: 2, stdout: "", stderr: `error: ${tar}: holds several images; select one by digest: ${byManifest}\n` });
    }
    // The manifest digest the error lists picks from index.json; the image ID (config digest) from manifest.json.
    expect(await files(`oci-archive:${tar}:${shortId(b.manifest.digest)}`)).toEqual({ code: 0, stderr: "", app: ["/app/b.txt"] });
    expect(await files(`oci-archive:${tar}:${shortId(b.config.digest)}`)).toEqual({ code: 0, stderr: "", app: ["/app/b.txt"] });
    expect(await files(`docker-archive:${tar}:${shortId(a.manifest.digest)}`)).toEqual({ code: 0, stderr: "", app: ["/app/a.txt"] });
  });
});

function layoutOf(images: Built[]) {
  return [OCI_LAYOUT, { path: "index.json", data: indexJson(images.map((x) => ({ mediaType: MT.manifest, digest: x.manifest.digest, size: x.manifest.size }))) }, ...images.flatMap((x) => x.files)];
}

describe("a config whose file name is not its digest (hand-edited, as in go-containerregistry's pkg/v1/mutate/testdata)", () => {
  it("is read as what it is, with a warning; its diff_ids still verify the layers", async () => {
    const original = await appImage("a");
    const edited = await appImage("a", (c) => c.history.unshift({ created_by: "/bin/sh -c #(nop)  CMD [\"/bin/sh\"]", empty_layer: true }));
    const name = `${original.config.digest.slice(7)}.json`;
    const tar = await writeArchive(`${tmp.dir}/edited.tar`, legacyArchive([{ b: edited, tags: ["bazel/pkg/v1/mutate:source_image"], configName: name }]));
    const warning =
      `warning: ${tar}: config ${name} is named ${short(original.config.digest)} but its content is ${short(edited.config.digest)}; ` +
      `reading it as ${short(edited.config.digest)}, as docker load does\n`;
    expect(await files(tar)).toEqual({ code: 0, stderr: warning, app: ["/app/a.txt"] });
    const info = await runCli(["info", tar, "--format", "json"]);
    expect({ code: info.code, stderr: info.stderr, config: (JSON.parse(info.stdout) as { configDigest: string }).configDigest }).toEqual({
      code: 0,
      stderr: warning,
      config: edited.config.digest,
    });
    // The same edit with a diff_id that no longer matches the layer: refused.
    const wrong = await appImage("a", (c) => (c.rootfs.diff_ids = [sha256(Buffer.from("other"))]));
    const bad = await writeArchive(`${tmp.dir}/edited-bad.tar`, [
      ...legacyArchive([{ b: original, tags: ["x:1"], configName: name }]).filter((f) => f.path !== name),
      { path: name, data: wrong.config.data },
    ]);
    const r = await error(["files", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^warning: .* is named .*\nerror: layer sha256:[0-9a-f]{12}… diff_id mismatch: uncompressed content does not hash to sha256:[0-9a-f]{12}…\n$/);
  });
});

describe("a descriptor whose media type differs from its body's", () => {
  it("OCI vs Docker schema 2, both image manifests: read as the body says, with a warning", async () => {
    const layout = await writeTree(`${tmp.dir}/mt-manifest.oci`, layoutFiles(a, { mediaType: DOCKER_MANIFEST }));
    const warning = `warning: manifest ${short(a.manifest.digest)}: mediaType ${MT.manifest} differs from its descriptor's ${DOCKER_MANIFEST}; read as ${MT.manifest}, as go-containerregistry does\n`;
    expect(await files(`oci:${layout}`)).toEqual({ code: 0, stderr: warning, app: ["/app/a.txt"] });
  });

  it("an OCI index under a Docker list descriptor: read, with a warning", async () => {
    const nested = indexJson([{ mediaType: MT.manifest, digest: a.manifest.digest, size: a.manifest.size, platform: { os: "linux", architecture: "amd64" } }]);
    const layout = await writeTree(`${tmp.dir}/mt-index.oci`, [
      OCI_LAYOUT,
      { path: "index.json", data: indexJson([{ mediaType: DOCKER_LIST, digest: sha256(nested), size: nested.length }]) },
      { path: `blobs/sha256/${sha256(nested).slice(7)}`, data: nested },
      ...a.files,
    ]);
    const warning = `warning: index ${short(sha256(nested))}: mediaType ${MT.index} differs from its descriptor's ${DOCKER_LIST}; read as ${MT.index}, as go-containerregistry does\n`;
    expect(await files(`oci:${layout}`)).toEqual({ code: 0, stderr: warning, app: ["/app/a.txt"] });
  });

  it("an index described as a manifest is an error; a body of another type is no image", async () => {
    const nested = indexJson([{ mediaType: MT.manifest, digest: a.manifest.digest, size: a.manifest.size }]);
    const layout = await writeTree(`${tmp.dir}/mt-kind.oci`, [
      OCI_LAYOUT,
      { path: "index.json", data: indexJson([{ mediaType: MT.manifest, digest: sha256(nested), size: nested.length }]) },
      { path: `blobs/sha256/${sha256(nested).slice(7)}`, data: nested },
      ...a.files,
    ]);
    expect(await error(["files", `oci:${layout}`])).toEqual({
      code: 2,
      stdout: "",
      stderr: `error: index ${short(sha256(nested))}: its descriptor says a manifest (${MT.manifest}), its body an index (${MT.index})\n`,
    });
    const artifactType = "application/vnd.oci.artifact.manifest.v1+json";
    const body = json({ mediaType: artifactType, artifactType: "application/example", blobs: [] });
    const other = await writeTree(`${tmp.dir}/mt-artifact.oci`, [
      OCI_LAYOUT,
      { path: "index.json", data: indexJson([{ mediaType: MT.manifest, digest: sha256(body), size: body.length }]) },
      { path: `blobs/sha256/${sha256(body).slice(7)}`, data: body },
    ]);
    expect(await error(["files", `oci:${other}`])).toEqual({ code: 2, stdout: "", stderr: `error: oci:${other} is not a container image (media type ${artifactType})\n` });
  });
});

describe("artifacts are not container images", () => {
  const named = (x: Built, name: string, extra: Record<string, unknown> = {}) => ({
    mediaType: MT.manifest,
    digest: x.manifest.digest,
    size: x.manifest.size,
    annotations: { [REF_NAME]: name },
    ...extra,
  });

  it("a Helm chart, a cosign signature and an SBOM in a layout: one error line naming the input and the artifact type", async () => {
    const chart = helmChart();
    const sig = cosignSignature();
    const bom = sbom();
    const layout = await writeTree(`${tmp.dir}/artifacts.oci`, [
      OCI_LAYOUT,
      { path: "index.json", data: indexJson([named(chart, "chart:0.1.0"), named(sig, "sig"), named(bom, "sbom")]) },
      ...chart.files,
      ...sig.files,
      ...bom.files,
    ]);
    const cases: [string, string][] = [
      ["chart:0.1.0", `artifactType ${HELM_CONFIG}`],
      ["sig", `layer media type ${COSIGN_LAYER}`],
      ["sbom", "artifactType application/spdx+json"],
    ];
    for (const [ref, why] of cases) {
      const input = `oci:${layout}:${ref}`;
      expect(await error(["scan", input]), ref).toEqual({ code: 2, stdout: "", stderr: `error: ${input} is not a container image (${why})\n` });
    }
    const single = await writeTree(`${tmp.dir}/chart.oci`, layoutFiles(chart));
    expect(await error(["files", single])).toEqual({ code: 2, stdout: "", stderr: `error: ${single} is not a container image (artifactType ${HELM_CONFIG})\n` });
  });

  it("an artifact entry beside images is skipped, as attestations are; an index of artifacts only is not an image", async () => {
    const bom = sbom();
    // The artifact first, with the image's platform: only its artifactType tells it apart.
    const entries = [
      { mediaType: MT.manifest, digest: bom.manifest.digest, size: bom.manifest.size, artifactType: "application/spdx+json", platform: { os: "linux", architecture: "amd64" } },
      { mediaType: MT.manifest, digest: a.manifest.digest, size: a.manifest.size, platform: { os: "linux", architecture: "amd64" } },
    ];
    const multi = indexJson(entries);
    const layout = await writeTree(`${tmp.dir}/multi-artifact.oci`, [
      OCI_LAYOUT,
      { path: "index.json", data: indexJson([{ mediaType: MT.index, digest: sha256(multi), size: multi.length }]) },
      { path: `blobs/sha256/${sha256(multi).slice(7)}`, data: multi },
      ...a.files,
      ...bom.files,
    ]);
    expect(await files(`oci:${layout}`)).toEqual({ code: 0, stderr: "", app: ["/app/a.txt"] });
    // In index.json itself, without a ref: the image.
    const top = await writeTree(`${tmp.dir}/top-artifact.oci`, [OCI_LAYOUT, { path: "index.json", data: indexJson(entries) }, ...a.files, ...bom.files]);
    expect(await files(`oci:${top}`)).toEqual({ code: 0, stderr: "", app: ["/app/a.txt"] });
    // Only artifacts.
    const bundle = sbom("application/vnd.dev.sigstore.bundle.v0.3+json");
    const only = indexJson([entries[0]!, { mediaType: MT.manifest, digest: bundle.manifest.digest, size: bundle.manifest.size, artifactType: "application/vnd.dev.sigstore.bundle.v0.3+json" }]);
    const none = await writeTree(`${tmp.dir}/only-artifacts.oci`, [
      OCI_LAYOUT,
      { path: "index.json", data: indexJson([{ mediaType: MT.index, digest: sha256(only), size: only.length }]) },
      { path: `blobs/sha256/${sha256(only).slice(7)}`, data: only },
      ...bom.files,
      ...bundle.files,
    ]);
    expect(await error(["files", `oci:${none}`])).toEqual({
      code: 2,
      stdout: "",
      stderr: `error: oci:${none} is not a container image (artifactType application/spdx+json, application/vnd.dev.sigstore.bundle.v0.3+json)\n`,
    });
  });

  describe("from a registry", () => {
    let registry: { host: string; close: () => Promise<void> };
    beforeAll(async () => {
      const docs = new Map<string, { type: string; body: Buffer }>();
      servedImage(docs, "charts/app", "0.1.0", helmChart());
      // An index whose child descriptor says Docker schema 2 while the body is an OCI manifest.
      const list = json({ schemaVersion: 2, mediaType: MT.index, manifests: [{ mediaType: DOCKER_MANIFEST, digest: a.manifest.digest, size: a.manifest.size, platform: { os: "linux", architecture: "amd64" } }] });
      servedImage(docs, "app", "unused", a);
      docs.set("/v2/app/manifests/1", { type: MT.index, body: list });
      // The Content-Type says Docker schema 2, the body OCI: the distribution-spec says to refuse it.
      docs.set("/v2/typed/manifests/1", { type: DOCKER_MANIFEST, body: a.manifest.data });
      registry = await tinyRegistry(docs);
    });
    afterAll(async () => {
      await registry.close();
    });

    it("a Helm chart pulled by tag: one error line", async () => {
      const input = `${registry.host}/charts/app:0.1.0`;
      expect(await error(["scan", input, "--plain-http", "--quiet"])).toEqual({
        code: 2,
        stdout: "",
        stderr: `error: ${input} is not a container image (artifactType ${HELM_CONFIG})\n`,
      });
    });

    it("an index's child described as Docker schema 2 with an OCI body is read with a warning; a Content-Type that differs from the body is refused", async () => {
      const r = await runCli(["files", `${registry.host}/app:1`, "--plain-http", "--quiet", "--format", "json"]);
      const warning = `warning: manifest ${short(a.manifest.digest)}: mediaType ${MT.manifest} differs from its descriptor's ${DOCKER_MANIFEST}; read as ${MT.manifest}, as go-containerregistry does\n`;
      expect({ code: r.code, stderr: r.stderr, app: appFiles(r.stdout) }).toEqual({ code: 0, stderr: warning, app: ["/app/a.txt"] });
      expect(await error(["files", `${registry.host}/typed:1`, "--plain-http", "--quiet"])).toEqual({
        code: 2,
        stdout: "",
        stderr: `error: manifest ${short(a.manifest.digest)}: mediaType ${MT.manifest} differs from the registry's Content-Type ${DOCKER_MANIFEST}\n`,
      });
    });
  });
});
