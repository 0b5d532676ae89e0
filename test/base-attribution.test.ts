// Base versus application layers, through the built CLI: --base with a
// real second image (its diff_ids the bottom of ours), a --base that is not
// (one warning), the manifest's base annotations, and classic-builder
// history; text and markdown list the user's layers first and label every
// finding with its layer's role.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reportSchema, scan, type Report } from "../packages/core/dist/index.js";
import { runCli } from "./helpers/cli.js";
import { dir, file, image, layer, layoutFiles, packTar, writeTree, type Json, type Layer } from "./hostile/build.js";

let tmp: string;
let baseLayer: Layer;
let appLayer: Layer;
const ELF = "\x7fELF\x02\x01\x01\0";

/** An OCI layout of `layers`, history steps `steps` (one per layer), optional manifest annotations. */
async function layout(name: string, layers: Layer[], steps: (string | Json)[], annotations?: Record<string, string>): Promise<string> {
  const b = image({
    layers,
    config: (c: Json) => {
      c["history"] = steps.map((s) => (typeof s === "string" ? { created_by: s } : s));
    },
    manifest: (m: Json) => {
      if (annotations) m["annotations"] = annotations;
    },
  });
  return writeTree(`${tmp}/${name}`, layoutFiles(b));
}

async function scanJson(args: string[]): Promise<{ report: Report; stderr: string }> {
  const r = await runCli(["scan", ...args, "--format", "json"]);
  expect(r.code).toBe(0);
  return { report: reportSchema.parse(JSON.parse(r.stdout)), stderr: r.stderr };
}

const roleOf = (r: Report, path: string) => r.findings.find((f) => f.path === path)?.layerRole;

beforeAll(async () => {
  tmp = await mkdtemp(`${tmpdir()}/layerlint-base-`);
  baseLayer = layer(
    await packTar([
      dir("etc"),
      file("etc/os-release", "ID=debian\nVERSION_ID=12\n"),
      dir("usr"),
      dir("usr/bin"),
      file("usr/bin/su", ELF, 0o4755),
    ]),
  );
  appLayer = layer(await packTar([dir("usr"), dir("usr/bin"), file("usr/bin/curl", ELF, 0o755)]));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe("--base", () => {
  it("a real base image whose layers are our bottom layers: those are base, the rest app", async () => {
    const base = await layout("base", [baseLayer], ["step 0"]);
    const app = await layout("app", [baseLayer, appLayer], ["step 0", "step 1"]);
    const { report, stderr } = await scanJson([`oci:${app}`, "--base", `oci:${base}`]);
    expect(stderr).toBe("");
    expect(report.image.base).toMatchObject({ layers: 1, detectedBy: "flag", name: `oci:${base}` });
    expect(report.image.base?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(roleOf(report, "/usr/bin/su")).toBe("base");
    expect(roleOf(report, "/usr/bin/curl")).toBe("app");
    // Config findings: the final config is the user's to set.
    const config = report.findings.filter((f) => f.layer === null);
    expect(config.length).toBeGreaterThan(0);
    expect(new Set(config.map((f) => f.layerRole))).toEqual(new Set(["app"]));

    // Text: the header names the base; the user's layers come first; every finding is labelled.
    const text = await runCli(["scan", `oci:${app}`, "--base", `oci:${base}`]);
    expect(text.code).toBe(0);
    const out = text.stdout;
    expect(out).toContain(`base layer 0 of 2 is the base image's (oci:${base} ${report.image.base!.digest}; --base, matched by diff_id)`);
    const mine = out.indexOf("findings in your layers");
    const theirs = out.indexOf("findings from the base image");
    expect(mine).toBeGreaterThan(0);
    expect(theirs).toBeGreaterThan(mine);
    expect(out).toMatch(/download tool \/usr\/bin\/curl is present \[layer 1, app\]/);
    expect(out).toMatch(/setuid file \/usr\/bin\/su .*\[layer 0, base\]/);
    expect(out.indexOf("/usr/bin/curl")).toBeLessThan(theirs);
    expect(out.indexOf("setuid file /usr/bin/su")).toBeGreaterThan(theirs);

    // Markdown: the same order and labels.
    const md = `${tmp}/report.md`;
    expect((await runCli(["scan", `oci:${app}`, "--base", `oci:${base}`, "--report", `markdown=${md}`])).code).toBe(0);
    const m = await readFile(md, "utf8");
    expect(m).toContain("**Base:** layer 0 of 2 is the base image's");
    expect(m.indexOf("#### Findings in your layers")).toBeLessThan(m.indexOf("#### Findings from the base image"));
    expect(m).toMatch(/\| `\/usr\/bin\/curl` \| .* \| 1, app \|/);
    expect(m).toMatch(/\| `\/usr\/bin\/su` \| .* \| 0, base \|/);
  });

  it("an image that is not our base: one warning line, and the base is not invented", async () => {
    const other = await layout("other", [appLayer], ["step 0"]);
    const app = await layout("app2", [baseLayer, appLayer], ["step 0", "step 1"]);
    const { report, stderr } = await scanJson([`oci:${app}`, "--base", `oci:${other}`]);
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^warning: --base oci:${other} is not this image's base: its layer 0 \\(sha256:[0-9a-f]{12}…\\) is not this image's layer 0; base layers not attributed$`));
    expect(report.image.base).toBeUndefined();
    expect(report.findings.every((f) => f.layerRole === undefined)).toBe(true);
    const text = await runCli(["scan", `oci:${app}`, "--base", `oci:${other}`]);
    expect(text.stdout).toContain("base layers unknown");
    expect(text.stdout).toMatch(/\/usr\/bin\/curl is present \[layer 1\]/);
  });

  it("a --base that cannot be read is an error (exit 2), not a silent miss", async () => {
    const app = await layout("app3", [baseLayer, appLayer], ["step 0", "step 1"]);
    const r = await runCli(["scan", `oci:${app}`, "--base", `oci:${tmp}/missing`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: /);
  });
});

describe("without --base", () => {
  it("classic-builder history: the ADD file:… in / layer is the base", async () => {
    const app = await layout("classic", [baseLayer, appLayer], [
      "/bin/sh -c #(nop) ADD file:4b03b5f551e3fbdf47ec609712007327828f7530cc3455c43bbcdcaf449a75a9 in / ",
      "/bin/sh -c apt-get install -y curl",
    ]);
    const { report } = await scanJson([`oci:${app}`]);
    expect(report.image.base).toEqual({ layers: 1, detectedBy: "history" });
    expect(roleOf(report, "/usr/bin/su")).toBe("base");
    expect(roleOf(report, "/usr/bin/curl")).toBe("app");
  });

  it("the manifest's base annotations name the base; the layer count is history's", async () => {
    const annotations = { "org.opencontainers.image.base.name": "docker.io/library/debian:12", "org.opencontainers.image.base.digest": `sha256:${"d".repeat(64)}` };
    const app = await layout("annotated", [baseLayer, appLayer], ["ADD file:4b03b5f551e3fbdf47ec609712007327828f7530cc3455c43bbcdcaf449a75a9 in /", "/bin/sh -c make"], annotations);
    const { report } = await scanJson([`oci:${app}`]);
    expect(report.image.base).toEqual({ layers: 1, detectedBy: "annotation", name: "docker.io/library/debian:12", digest: `sha256:${"d".repeat(64)}` });
    const text = await runCli(["scan", `oci:${app}`]);
    expect(text.stdout).toContain("base layer 0 of 2 is the base image's (docker.io/library/debian:12 sha256:ddd");
    expect(text.stdout).toContain("named by the manifest's base annotations; layer count from history");
  });

  it("annotations without a history boundary: a warning that names the --base to pass", async () => {
    const annotations = { "org.opencontainers.image.base.name": "docker.io/library/debian:12" };
    const app = await layout("annotated2", [baseLayer, appLayer], ["step 0", "step 1"], annotations);
    const { report, stderr } = await scanJson([`oci:${app}`]);
    expect(report.image.base).toBeUndefined();
    expect(stderr.trim()).toBe(
      "warning: the manifest names its base (docker.io/library/debian:12) but its history does not show which layers are the base's; pass --base docker.io/library/debian:12 to attribute them",
    );
  });

  it("BuildKit history: the base's entries end where BuildKit's own steps begin", async () => {
    const bk = "buildkit.dockerfile.v0";
    const app = await layout("buildkit", [baseLayer, appLayer], [
      { created_by: "bazel build //base:debian12", author: "Bazel" },
      { created_by: "ENV APP=1", comment: bk, empty_layer: true },
      { created_by: "COPY curl /usr/bin/curl # buildkit", comment: bk },
    ]);
    // Through the library: scan() takes the same base detection, and warnings go to onWarning.
    const warnings: string[] = [];
    const report = await scan(`oci:${app}`, { onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([]);
    expect(report.image.base).toEqual({ layers: 1, detectedBy: "history" });
    expect(roleOf(report, "/usr/bin/su")).toBe("base");
    expect(roleOf(report, "/usr/bin/curl")).toBe("app");
  });

  it("the library's base option: a non-prefix base goes to onWarning, a prefix one decides", async () => {
    const base = await layout("lib-base", [baseLayer], ["step 0"]);
    const other = await layout("lib-other", [appLayer], ["step 0"]);
    const app = await layout("lib-app", [baseLayer, appLayer], ["step 0", "step 1"]);
    const warnings: string[] = [];
    const good = await scan(`oci:${app}`, { base: `oci:${base}`, onWarning: (w) => warnings.push(w) });
    expect(good.image.base).toMatchObject({ layers: 1, detectedBy: "flag" });
    expect(warnings).toEqual([]);
    const bad = await scan(`oci:${app}`, { base: `oci:${other}`, onWarning: (w) => warnings.push(w) });
    expect(bad.image.base).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`--base oci:${other} is not this image's base`);
  });

  it("no history: no base, no roles", async () => {
    const b = image({ layers: [baseLayer, appLayer], config: (c: Json) => delete c["history"] });
    const app = await writeTree(`${tmp}/nohistory`, layoutFiles(b));
    const { report } = await scanJson([`oci:${app}`]);
    expect(report.image.base).toBeUndefined();
    expect(report.findings.some((f) => f.layerRole !== undefined)).toBe(false);
  });
});
