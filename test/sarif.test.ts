// SARIF 2.1.0 validates against the official schema
// (draft-04) for the demo image and for a clean image with zero results,
// and follows GitHub code scanning's documented requirements.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import Ajv from "ajv-draft-04";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allRules, findRule } from "../packages/core/src/rules/catalogue.js";
import { evaluatePolicy } from "../packages/core/src/policy/evaluate.js";
import { applyGate } from "../packages/core/src/policy/gated-report.js";
import { validatePolicy } from "../packages/core/src/policy/load.js";
import type { Report } from "../packages/core/src/report.js";
import { sarifLog } from "../packages/core/src/reports/sarif.js";
import { fixturesOut, repoRoot, runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/gate.js";

const schema = JSON.parse(readFileSync(join(repoRoot, "test/conformance/sarif-schema-2.1.0.json"), "utf8")) as object;
// RFC 3986 characters only (percent-encoding well formed); enough to catch raw spaces, "#" or "%".
const PCHARS = String.raw`(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*`;
const URI_REF = new RegExp(`^${PCHARS}(?:#${PCHARS})?$`);
const ajv = new Ajv({
  allErrors: true,
  strict: false,
  formats: { uri: (s: string) => /^[a-z][a-z0-9+.-]*:/i.test(s) && URI_REF.test(s), "uri-reference": (s: string) => URI_REF.test(s), "date-time": true },
});
const validate = ajv.compile(schema);

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(() => tmp.cleanup());

type Sarif = {
  version: string;
  runs: Array<{
    tool: { driver: { name: string; version: string; informationUri: string; rules: Array<Record<string, any>> } };
    results: Array<Record<string, any>>;
  }>;
};

async function sarifFor(input: string, extra: string[] = []): Promise<{ sarif: Sarif; code: number }> {
  const file = join(tmp.dir, `${Math.random().toString(36).slice(2)}.sarif`);
  const r = await runCli(["scan", input, "--report", `sarif=${file}`, ...extra]);
  expect(r.stderr).toBe("");
  return { sarif: JSON.parse(await readFile(file, "utf8")) as Sarif, code: r.code };
}

function expectValid(doc: unknown): void {
  const ok = validate(doc);
  expect(ok ? [] : validate.errors?.slice(0, 5)).toEqual([]);
}

describe("SARIF", () => {
  it("the demo image validates and meets GitHub's requirements", async () => {
    const { sarif, code } = await sarifFor(`${fixturesOut}/demo.oci.tar`);
    expect(code).toBe(0);
    expectValid(sarif);
    expect(sarif.version).toBe("2.1.0");
    const run = sarif.runs[0]!;
    const d = run.tool.driver;
    expect(d.name).toBe("layerlint");
    expect(d.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(d.informationUri).toMatch(/^https:\/\//);
    const ids = d.rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length); // one rule per ruleId
    for (const rule of d.rules) {
      expect(rule.shortDescription.text.length).toBeGreaterThan(0);
      expect(rule.fullDescription.text.length).toBeGreaterThan(0);
      expect(rule.help.text).toContain("Fix:");
      expect(rule.help.markdown).toContain("**Fix:**");
      expect(["error", "warning", "note"]).toContain(rule.defaultConfiguration.level);
      expect(rule.properties.tags).toContain("security");
      if (rule.properties["security-severity"] !== undefined) expect(rule.properties["security-severity"]).toMatch(/^\d+\.\d$/);
      // Documented in the catalogue, linked to its docs/rules.md anchor, with its default severity and references.
      const catalogued = findRule(rule.id);
      expect(catalogued, rule.id).toBeDefined();
      expect(rule.helpUri).toBe(`https://github.com/layerlint/layerlint/blob/main/docs/rules.md#${rule.id}`);
      expect(rule.properties.defaultSeverity).toBe(catalogued!.severity);
      expect(rule.properties.references).toEqual(catalogued!.references);
      for (const ref of catalogued!.references) expect(rule.help.markdown).toContain(`- [${ref.title}](${ref.url})`);
    }
    const docs = readFileSync(join(repoRoot, "docs/rules.md"), "utf8");
    for (const rule of d.rules) expect(docs).toContain(`<a id="${String(rule.helpUri).split("#")[1]}"></a>`);
    expect(run.results.length).toBeGreaterThan(10);
    for (const r of run.results) {
      expect(ids).toContain(r.ruleId);
      expect(d.rules[r.ruleIndex]!.id).toBe(r.ruleId);
      expect(r.message.text.length).toBeGreaterThan(0);
      const loc = r.locations[0].physicalLocation;
      expect(loc.artifactLocation.uri).not.toMatch(/^\//); // relative
      expect(loc.region.startLine).toBeGreaterThanOrEqual(1);
      expect(r.partialFingerprints["layerlintFingerprint/v1"]).toMatch(/^[0-9a-f]{32}$/);
    }
    const su = run.results.find(
      (r) => r.ruleId === "setuid-binary" && r.locations[0].physicalLocation.artifactLocation.uri === "usr/local/bin/hello-server",
    );
    expect(su).toBeDefined();
    expect(su!.locations[0].physicalLocation.artifactLocation.uriBaseId).toBe("IMAGE_ROOT");
    expect(su!.properties.layerDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const config = run.results.find((r) => r.ruleId === "root-user");
    expect(config!.locations[0].physicalLocation.artifactLocation.uri).toBe("demo.oci.tar");
    expect(config!.locations[0].logicalLocations[0].name).toBe("config");
  });

  it("fingerprints are stable across runs and input forms", async () => {
    const a = await sarifFor(`${fixturesOut}/demo.oci.tar`);
    const b = await sarifFor(`oci:${fixturesOut}/demo.oci`);
    const fps = (s: Sarif) => s.runs[0]!.results.map((r) => r.partialFingerprints["layerlintFingerprint/v1"] as string).sort();
    expect(fps(b.sarif)).toEqual(fps(a.sarif));
  });

  it("a clean image with zero results validates", async () => {
    const { sarif } = await sarifFor(`${fixturesOut}/distroless.oci`, ["--fail-on", "critical"]);
    expectValid(sarif);
    // The distroless fixture has no findings at all: an empty array, not an absent one.
    expect(sarif.runs[0]!.results).toEqual([]);
    expect(sarif.runs[0]!.tool.driver.rules.length).toBeGreaterThan(10);
  });

  it("failing size and provenance checks become gate-* results; ignores become suppressions", async () => {
    const { sarif, code } = await sarifFor(`${fixturesOut}/demo.oci`, ["--max-layers", "1", "--allowed-registry", "ghcr.io/acme/*"]);
    expect(code).toBe(1);
    expectValid(sarif);
    const gate = sarif.runs[0]!.results.filter((r) => String(r.ruleId).startsWith("gate-")).map((r) => r.ruleId);
    expect(gate.sort()).toEqual(["gate-allowed-registries", "gate-max-layers"]);
  });

  it("a failing forbid-latest is a provenance check and becomes a gate-* result; failing tool checks do not", async () => {
    // Local inputs always pass forbid-latest, so take the demo report and give it a registry reference.
    const r = await runCli(["scan", `${fixturesOut}/demo.oci`, "--format", "json"]);
    expect(r.stderr).toBe("");
    const scanned = JSON.parse(r.stdout) as Report;
    const report: Report = { ...scanned, image: { ...scanned.image, source: "registry", reference: "docker.io/library/demo:latest" } };
    const policy = validatePolicy({ provenance: { forbidLatest: true }, tools: { forbid: ["shell"] } });
    const gated = applyGate(report, evaluatePolicy(report, policy));
    expect(gated.gate!.checks.filter((c) => !c.passed).map((c) => c.id).sort()).toEqual(["forbid-latest", "forbid-shell"]);
    const sarif = sarifLog(gated, { rules: allRules }) as unknown as Sarif;
    expectValid(sarif);
    const run = sarif.runs[0]!;
    const gate = run.results.filter((x) => String(x.ruleId).startsWith("gate-"));
    expect(gate.map((x) => x.ruleId)).toEqual(["gate-forbid-latest"]);
    expect(gate[0]!.message.text).toContain('uses the moving tag "latest"');
    expect(gate[0]!.locations[0].physicalLocation.artifactLocation.uri).toBe("docker.io/library/demo");
    const rule = run.tool.driver.rules[gate[0]!.ruleIndex as number]!;
    expect(rule.id).toBe("gate-forbid-latest");
    expect(rule.properties.tags).toEqual(["policy", "provenance"]);
    expect(rule.shortDescription.text).toBe(findRule("gate-forbid-latest")!.title);
    expect(rule.helpUri).toBe("https://github.com/layerlint/layerlint/blob/main/docs/rules.md#gate-forbid-latest");
  });
});
