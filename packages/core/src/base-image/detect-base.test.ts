import { describe, expect, it } from "vitest";
import type { HistoryEntry, ImageConfig, ImageManifest } from "../types.js";
import type { Finding } from "../finding.js";
import { BASE_DIGEST_ANNOTATION, BASE_NAME_ANNOTATION, detectBase, layerRoleOf, type FlagBase } from "./detect-base.js";
import { historyBase } from "./history-base.js";

const diff = (i: number) => `sha256:${String(i).padStart(64, "0")}`;
const BK = "buildkit.dockerfile.v0";

/** A config whose diff_ids are as many as the history's non-empty entries. */
function config(history: HistoryEntry[]): ImageConfig {
  const n = history.filter((h) => !h.empty_layer).length;
  return {
    digest: "sha256:c",
    architecture: "amd64",
    os: "linux",
    config: {},
    rootfs: { type: "layers", diff_ids: Array.from({ length: n }, (_, i) => diff(i)) },
    history,
  };
}
const manifest = (annotations?: Record<string, string>): ImageManifest => ({
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  digest: "sha256:m",
  config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: "sha256:c", size: 1 },
  layers: [],
  ...(annotations ? { annotations } : {}),
});

const CLASSIC: HistoryEntry[] = [
  { created_by: "/bin/sh -c #(nop) ADD file:4b03b5f551e3fbdf47ec609712007327828f7530cc3455c43bbcdcaf449a75a9 in / " },
  { created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
  { created_by: "/bin/sh -c #(nop)  ENV APP=1", empty_layer: true },
  { created_by: "/bin/sh -c apt-get update && apt-get install -y curl" },
  { created_by: "/bin/sh -c #(nop) COPY dir:0123456789abcdef0123 in /app " },
];

describe("historyBase", () => {
  it("classic builder: the last ADD file:… in / and every layer below it, empty_layer entries skipped", () => {
    expect(historyBase(config(CLASSIC))).toEqual({ layers: 1, historyEnd: 1 });
  });

  it("the last root-filesystem marker wins, wherever it sits", () => {
    const h: HistoryEntry[] = [
      { created_by: "ADD file:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa in /" },
      { created_by: "/bin/sh -c echo base-of-base" },
      { created_by: "CMD [\"sh\"]", empty_layer: true },
      { created_by: "/bin/sh -c #(nop) ADD file:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb in / " },
      { created_by: "/bin/sh -c make install" },
    ];
    expect(historyBase(config(h))).toEqual({ layers: 3, historyEnd: 4 });
  });

  it("BuildKit: Alpine's minirootfs ADD, then the user's steps", () => {
    const h: HistoryEntry[] = [
      { created_by: "ADD alpine-minirootfs-3.20.3-x86_64.tar.gz / # buildkit", comment: BK },
      { created_by: 'CMD ["/bin/sh"]', comment: BK, empty_layer: true },
      { created_by: "RUN /bin/sh -c apk add --no-cache curl # buildkit", comment: BK },
      { created_by: "COPY app /app # buildkit", comment: BK },
    ];
    expect(historyBase(config(h))).toEqual({ layers: 1, historyEnd: 1 });
  });

  it("BuildKit: the base's entries end where BuildKit's own run begins (a Bazel-built base)", () => {
    const h: HistoryEntry[] = [
      { created_by: "bazel build //base:static", author: "Bazel" },
      { created_by: "bazel build //base:nonroot", author: "Bazel" },
      { created_by: "WORKDIR /app", comment: BK, empty_layer: true },
      { created_by: "COPY server /app/server # buildkit", comment: BK },
    ];
    expect(historyBase(config(h))).toEqual({ layers: 2, historyEnd: 2 });
  });

  it("debuerreotype's step (Debian's official images) marks the root filesystem", () => {
    const h: HistoryEntry[] = [
      { created_by: "# debian.sh --arch 'amd64' out/ 'bookworm' '@1717977600'", comment: "debuerreotype 0.15" },
      { created_by: "RUN /bin/sh -c useradd app # buildkit", comment: BK },
    ];
    expect(historyBase(config(h))).toEqual({ layers: 1, historyEnd: 1 });
  });

  it("tells nothing without history, with BuildKit steps only, or when history does not account for the layers", () => {
    expect(historyBase(config([]))).toBeUndefined();
    expect(historyBase(config([{ created_by: "COPY a / # buildkit", comment: BK }, { created_by: "RUN x # buildkit", comment: BK }]))).toBeUndefined();
    expect(historyBase(config([{ created_by: "/bin/sh -c make" }]))).toBeUndefined();
    const short = config(CLASSIC);
    short.rootfs.diff_ids.push(diff(9)); // a layer no history entry built
    expect(historyBase(short)).toBeUndefined();
  });
});

describe("detectBase", () => {
  const ours = config(CLASSIC); // 3 layers
  const flag = (diffIds: string[]): FlagBase => ({ ref: "oci:base", name: undefined, digest: "sha256:b", diffIds, historyLength: 2 });

  it("--base: its diff_ids a prefix of ours decide, before annotations and history", () => {
    const warnings: string[] = [];
    const a = detectBase(manifest({ [BASE_NAME_ANNOTATION]: "docker.io/library/debian:12" }), ours, flag([diff(0), diff(1)]), (w) => warnings.push(w));
    expect(a).toEqual({ base: { layers: 2, detectedBy: "flag", name: "oci:base", digest: "sha256:b" }, historyEnd: 2 });
    expect(warnings).toEqual([]);
  });

  it("--base that is not a prefix: one warning, then the next signal", () => {
    const warnings: string[] = [];
    const a = detectBase(manifest(), ours, flag([diff(0), diff(7)]), (w) => warnings.push(w));
    expect(a?.base).toEqual({ layers: 1, detectedBy: "history" });
    expect(warnings).toEqual([
      `--base oci:base is not this image's base: its layer 1 (${diff(7).slice(0, 19)}…) is not this image's layer 1; base layers taken from history`,
    ]);
    const longer: string[] = [];
    expect(detectBase(manifest(), config([{ created_by: "/bin/sh -c make" }]), flag([diff(0), diff(1)]), (w) => longer.push(w))).toBeUndefined();
    expect(longer).toEqual(["--base oci:base is not this image's base: it has 2 layers, this image 1; base layers not attributed"]);
  });

  it("annotations name the base; the layer count is history's", () => {
    const ann = { [BASE_NAME_ANNOTATION]: "docker.io/library/debian:12", [BASE_DIGEST_ANNOTATION]: "sha256:d" };
    expect(detectBase(manifest(ann), ours, undefined, undefined)?.base).toEqual({
      layers: 1,
      detectedBy: "annotation",
      name: "docker.io/library/debian:12",
      digest: "sha256:d",
    });
  });

  it("annotations without a history boundary: undecided, and the warning names the --base that decides it", () => {
    const warnings: string[] = [];
    const ann = { [BASE_NAME_ANNOTATION]: "docker.io/library/debian:12", [BASE_DIGEST_ANNOTATION]: "sha256:d" };
    expect(detectBase(manifest(ann), config([{ created_by: "/bin/sh -c make" }]), undefined, (w) => warnings.push(w))).toBeUndefined();
    expect(warnings).toEqual([
      "the manifest names its base (docker.io/library/debian:12@sha256:d) but its history does not show which layers are the base's; pass --base docker.io/library/debian:12@sha256:d to attribute them",
    ]);
  });

  it("no signal: undefined, silently", () => {
    const warnings: string[] = [];
    expect(detectBase(manifest(), config([{ created_by: "/bin/sh -c make" }]), undefined, (w) => warnings.push(w))).toBeUndefined();
    expect(warnings).toEqual([]);
  });
});

describe("layerRoleOf", () => {
  const a = { base: { layers: 2, detectedBy: "history" as const }, historyEnd: 3 };
  const f = (layer: number | null, evidence?: Record<string, unknown>): Finding => ({
    ruleId: "x", category: "secret", severity: "high", message: "m", layer, inFinalImage: true, evidence,
  });
  it("a layer below the boundary is base, at or above it app; config findings are app; a history step by its index", () => {
    expect([f(0), f(1), f(2), f(null)].map((x) => layerRoleOf(x, a))).toEqual(["base", "base", "app", "app"]);
    expect([f(null, { historyIndex: 2 }), f(null, { historyIndex: 3 })].map((x) => layerRoleOf(x, a))).toEqual(["base", "app"]);
  });
});
