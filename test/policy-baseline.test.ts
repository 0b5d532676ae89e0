// --baseline written from the same image exits 0; a new
// layer with a new secret makes it exit 1 and only that finding is new.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixturesOut, runCli } from "./helpers/cli.js";
import { layoutWithExtraLayer, tempDir } from "./helpers/gate.js";

const demo = `${fixturesOut}/demo.oci`;
let tmp: Awaited<ReturnType<typeof tempDir>>;

interface F {
  ruleId: string;
  path?: string;
  fingerprint?: string;
  baselineState?: string;
}

beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(() => tmp.cleanup());

describe("baseline", () => {
  it("passes on the same image, fails only on the new secret", async () => {
    const baseline = join(tmp.dir, "baseline.json");
    const w = await runCli(["scan", demo, "--write-baseline", baseline]);
    expect(w.code).toBe(0);
    const written = JSON.parse(await readFile(baseline, "utf8")) as { baselineVersion: number; findings: { fingerprint: string }[] };
    expect(written.baselineVersion).toBe(1);
    expect(written.findings.length).toBeGreaterThan(10);

    const same = await runCli(["scan", demo, "--format", "json", "--baseline", baseline]);
    expect(same.code, same.stderr).toBe(0);
    const sameReport = JSON.parse(same.stdout) as { findings: F[]; gate: { checks: { id: string; passed: boolean }[] } };
    expect(sameReport.findings.every((f) => f.baselineState === "unchanged")).toBe(true);
    expect(sameReport.gate.checks).toEqual([expect.objectContaining({ id: "new-findings", passed: true })]);

    // The same image plus one layer holding a new token.
    const changed = join(tmp.dir, "changed.oci");
    const token = `ghp_${"A1b2C3d4E5".repeat(4).slice(0, 36)}`;
    await layoutWithExtraLayer(demo, changed, { "app/new.env": `GITHUB_TOKEN=${token}\n` }, "COPY new.env /app/new.env # buildkit");
    const r = await runCli(["scan", `oci:${changed}`, "--format", "json", "--baseline", baseline]);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as { findings: F[]; gate: { checks: { id: string; passed: boolean; message: string }[] } };
    const fresh = report.findings.filter((f) => f.baselineState === "new");
    expect(fresh.length).toBeGreaterThanOrEqual(1);
    expect(fresh.every((f) => f.path === "/app/new.env"), JSON.stringify(fresh)).toBe(true);
    expect(report.findings.filter((f) => f.baselineState === "unchanged")).toHaveLength(written.findings.length);
    expect(report.gate.checks[0]).toMatchObject({ id: "new-findings", passed: false });
    expect(report.gate.checks[0]!.message).toContain("/app/new.env");
    expect(report.gate.checks[0]!.message).not.toContain(token); // never a raw secret

    // With failOn, known findings above the threshold do not fail; the new one does.
    const high = await runCli(["scan", demo, "--baseline", baseline, "--fail-on", "high"]);
    expect(high.code).toBe(0);
    const highNew = await runCli(["scan", `oci:${changed}`, "--baseline", baseline, "--fail-on", "high", "--report", `sarif=${join(tmp.dir, "b.sarif")}`]);
    expect(highNew.code).toBe(1);
    expect(highNew.stdout).toMatch(/\[new\]/);
    const sarif = JSON.parse(await readFile(join(tmp.dir, "b.sarif"), "utf8")) as { runs: { results: { baselineState?: string; ruleId: string }[] }[] };
    const states = sarif.runs[0]!.results.filter((x) => !x.ruleId.startsWith("gate-")).map((x) => x.baselineState);
    expect(states.filter((s) => s === "new")).toHaveLength(fresh.length);
  });

  it("a bad baseline file exits 2", async () => {
    const bad = join(tmp.dir, "bad-baseline.json");
    await (await import("node:fs/promises")).writeFile(bad, '{"baselineVersion": 2}');
    const r = await runCli(["scan", demo, "--baseline", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: baseline: /);
  });
});
