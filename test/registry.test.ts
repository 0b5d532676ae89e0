// The registry client against a real registry (anonymous): every pushed
// fixture scans the same through the registry as from its OCI layout, and
// `layerlint digest` agrees with skopeo.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixturesOut, parseJsonLines, runCli } from "./helpers/cli.js";
import { runCliOnTerminal, terminalLines } from "./helpers/terminal.js";
import { ensureRegistryTools, startRegistry, type RunningRegistry } from "./registry/registry.js";
import { pushedFixtures, skopeoDigest, skopeoPush } from "./registry/skopeo.js";
import { expectSameImage, ok, scanJson } from "./registry/compare.js";

let reg: RunningRegistry;

beforeAll(async () => {
  ensureRegistryTools();
  reg = await startRegistry({ kind: "none" });
  await Promise.all(pushedFixtures.map((f) => skopeoPush(f.dir, f.ref, `${reg.host}/${f.ref}`, { all: f.all })));
});

afterAll(async () => {
  await reg?.stop();
});

describe("registry source (anonymous registry)", () => {
  for (const f of pushedFixtures) {
    it(`${f.ref}: same files and findings as oci:${f.dir}`, async () => {
      await expectSameImage(`oci:${fixturesOut}/${f.dir}:${f.ref}`, `${reg.host}/${f.ref}`);
    });
  }

  it("multiarch: picks the same platform as local sources for --platform linux/arm64", async () => {
    await expectSameImage(`oci:${fixturesOut}/multiarch.oci:multiarch:v1`, `docker://${reg.host}/multiarch:v1`, { extra: ["--platform", "linux/arm64"] });
  });

  it("layerlint digest equals skopeo inspect for every pushed tag", async () => {
    for (const f of pushedFixtures) {
      const ref = `${reg.host}/${f.ref}`;
      const ours = ok(await runCli(["digest", ref]), `digest ${ref}`).trim();
      expect(ours).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(ours).toBe(await skopeoDigest(ref));
    }
  });

  it("scan reports the normalised reference and its pinned form; a digest reference is pinned", async () => {
    const byTag = await scanJson(`${reg.host}/demo:latest`);
    const digest = String(byTag.image.manifestDigest);
    expect(byTag.image.reference).toBe(`${reg.host}/demo:latest`);
    expect(byTag.image.pinnedReference).toBe(`${reg.host}/demo@${digest}`);
    expect(byTag.findings.map((f) => f.ruleId)).toContain("latest-tag");

    const byDigest = await scanJson(`docker://${reg.host}/demo@${digest}`);
    expect(byDigest.image.reference).toBe(`${reg.host}/demo@${digest}`);
    expect(byDigest.image.pinnedReference).toBe(`${reg.host}/demo@${digest}`);
    expect(byDigest.findings.map((f) => f.ruleId)).not.toContain("latest-tag");

    const noTag = await scanJson(`${reg.host}/distroless`, [], undefined).catch((e: Error) => e);
    // distroless was pushed as :v1 only, so the implied :latest is missing.
    expect(noTag).toBeInstanceOf(Error);
  });

  it("prints one progress line per finished layer on stderr when not a TTY, and none with --quiet", async () => {
    const r = await runCli(["files", `${reg.host}/layers:v1`, "--format", "json"]);
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatch(/^pulled layer 4\/4 sha256:[0-9a-f]{12} /);
    const q = await runCli(["files", `${reg.host}/layers:v1`, "--format", "json", "--quiet"]);
    expect(q.stderr).toBe("");
  });

  it("on a terminal: a status line with layers, bytes and rate, erased before each finished layer's line and at the end; stdout gets only the report", async () => {
    const dir = mkdtempSync(join(tmpdir(), "layerlint-tty-"));
    try {
      const out = join(dir, "files.json");
      const r = await runCliOnTerminal(["files", `${reg.host}/layers:v1`, "--format", "json"], out);
      expect(r.code).toBe(0);
      // What the terminal shows once every \r and erase is applied: the four layer lines, no status left over.
      const screen = terminalLines(r.output);
      expect(screen).toHaveLength(4);
      screen.forEach((line, i) => expect(line).toMatch(new RegExp(`^pulled layer ${i + 1}/4 sha256:[0-9a-f]{12} \\d`)));
      // The status line was drawn, and every layer line starts on an erased line.
      expect(r.output.startsWith("layers 0/4  0 B  0 B/s")).toBe(true);
      for (const status of r.output.match(/layers \d\/4 [^\r\n]*/g) ?? []) {
        expect(status).toMatch(/^layers [0-3]\/4 {2}\d+(\.\d)? (B|kB|MB) {2}\d+(\.\d)? (B|kB|MB)\/s$/);
      }
      expect(r.output.split("pulled layer").slice(1).length).toBe(4);
      expect(r.output.match(/\r\x1b\[2Kpulled layer/g)).toHaveLength(4);
      expect(parseJsonLines(readFileSync(out, "utf8")).length).toBeGreaterThan(0);

      // An error on a terminal starts its own line too.
      const missing = await runCliOnTerminal(["scan", `${reg.host}/demo:nope`], "/dev/null");
      expect(missing.code).toBe(2);
      expect(terminalLines(missing.output)).toEqual([expect.stringMatching(/^error: 127\.0\.0\.1:\d+\/demo:nope: manifest: not found/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a missing tag, repository or registry is a one-line error with exit 2", async () => {
    const missing = await runCli(["scan", `${reg.host}/demo:nope`, "--quiet"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: 127\.0\.0\.1:\d+\/demo:nope: manifest: not found/);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    const refused = await runCli(["digest", "127.0.0.1:1/demo:latest"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error: 127\.0\.0\.1:1: /);
  });

  it("a local path of the same name wins over a bare reference", async () => {
    const r = await runCli(["files", "fixtures/out/layers.oci", "--format", "json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
  });
});
