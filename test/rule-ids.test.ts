// Every ruleId a scan emits is in the rule catalogue, and so is every SARIF
// rule: scans of every generated fixture (each platform of the multi-arch
// one, each image of the multi-image layout) and of every hostile-corpus
// image the scan accepts, plus a gate that fails every size and provenance
// check (the gate-* SARIF rules).
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scan } from "../packages/core/src/scan.js";
import type { Report } from "../packages/core/src/report.js";
import { evaluatePolicy } from "../packages/core/src/policy/evaluate.js";
import { applyGate } from "../packages/core/src/policy/gated-report.js";
import { validatePolicy } from "../packages/core/src/policy/load.js";
import { sarifLog } from "../packages/core/src/reports/sarif.js";
import { checkGroup } from "../packages/core/src/reports/check-display.js";
import { allRules, findRule, gateRules } from "../packages/core/src/rules/catalogue.js";
import { fixturesOut } from "./helpers/cli.js";
import { cases, isErrorCase } from "./hostile/cases.js";

interface CatalogEntry {
  forms: Record<string, string>;
  refs?: Record<string, string | string[]>;
  images?: Record<string, unknown>;
}

/** One scan input per fixture image: the OCI layout, with :REF for a layout of several images, each platform of an index. */
function fixtureInputs(): { input: string; platform?: string }[] {
  const catalog = JSON.parse(readFileSync(`${fixturesOut}/catalog.json`, "utf8")) as Record<string, CatalogEntry>;
  const out: { input: string; platform?: string }[] = [];
  for (const [name, e] of Object.entries(catalog)) {
    const dir = `${fixturesOut}/${e.forms["oci"] ?? name}`;
    const refs = e.refs?.["oci"];
    if (Array.isArray(refs)) for (const ref of refs) out.push({ input: `oci:${dir}:${ref}` });
    // A multi-platform index lists its images by platform (os/arch).
    else if (e.images !== undefined) for (const platform of Object.keys(e.images)) out.push({ input: `oci:${dir}`, platform });
    else out.push({ input: `oci:${dir}` });
    for (const [form, file] of Object.entries(e.forms)) if (form !== "oci") out.push({ input: `${fixturesOut}/${file}` });
  }
  return out;
}

function uncatalogued(report: Report): string[] {
  return [...new Set(report.findings.map((f) => f.ruleId))].filter((id) => findRule(id) === undefined);
}

function sarifRuleIds(report: Parameters<typeof sarifLog>[0]): string[] {
  return sarifLog(report, { rules: allRules }).runs[0]!.tool.driver.rules!.map((r) => r.id);
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(`${tmpdir()}/layerlint-rule-ids-`);
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe("every emitted ruleId is catalogued", () => {
  const seen = new Set<string>();

  it("on every generated fixture", async () => {
    const inputs = fixtureInputs();
    expect(inputs.length).toBeGreaterThan(10);
    for (const { input, platform } of inputs) {
      const report = await scan(input, { platform, layerWorkers: "never" });
      expect(uncatalogued(report), input).toEqual([]);
      expect(sarifRuleIds(report).filter((id) => findRule(id) === undefined), input).toEqual([]);
      for (const f of report.findings) seen.add(f.ruleId);
    }
    // The demo image alone plants most rules: the scan above really found them.
    expect(seen.size).toBeGreaterThan(15);
  }, 120_000);

  it("on every hostile-corpus image the scan accepts", async () => {
    // The error cases end before any analyzer runs; every other case, files or scan, is an image the scan reads.
    const accepted = cases.filter((x) => !isErrorCase(x));
    expect(accepted.length).toBeGreaterThanOrEqual(20);
    for (const c of accepted) {
      const dir = `${work}/${c.id}`;
      const input = await c.build(dir);
      const at = c.flags?.indexOf("--platform") ?? -1;
      const platform = at >= 0 ? c.flags![at + 1] : undefined;
      const report = await scan(input, { platform, layerWorkers: "never" });
      expect(uncatalogued(report), c.id).toEqual([]);
      expect(sarifRuleIds(report).filter((id) => findRule(id) === undefined), c.id).toEqual([]);
      for (const f of report.findings) seen.add(f.ruleId);
      await rm(dir, { recursive: true, force: true });
    }
    // The corpus is what emits unsafe-tar-entry.
    expect(seen).toContain("unsafe-tar-entry");
  }, 300_000);

  it("for the gate-* SARIF rules of a policy whose every size and provenance check fails", async () => {
    const scanned = await scan(`oci:${fixturesOut}/demo.oci`, { layerWorkers: "never" });
    // Local inputs pass the provenance checks, so give the report a moving registry reference.
    const report: Report = { ...scanned, image: { ...scanned.image, source: "registry", reference: "docker.io/library/demo:latest" } };
    const policy = validatePolicy({
      size: { maxCompressed: "1B", maxUncompressed: "1B", maxLayers: 1, maxLayerSize: "1B", maxWasted: "1B", maxWastedPercent: 0, minEfficiency: 1 },
      provenance: { requireDigest: true, forbidLatest: true, allowedRegistries: ["ghcr.io/acme/*"] },
    });
    const gated = applyGate(report, evaluatePolicy(report, policy));
    const failed = gated.gate!.checks.filter((c) => !c.passed && checkGroup(c.id) !== "findings").map((c) => `gate-${c.id}`);
    const sarif = sarifLog(gated, { rules: allRules }).runs[0]!;
    const gateIds = sarif.results!.map((r) => r.ruleId!).filter((id) => id.startsWith("gate-"));
    // Every size and provenance check failed, and each catalogued gate rule is one of them: none is stale.
    expect(gateIds.sort()).toEqual(failed.sort());
    expect(gateIds.sort()).toEqual(gateRules.map((r) => r.id).sort());
    expect(sarif.tool.driver.rules!.map((r) => r.id).filter((id) => findRule(id) === undefined)).toEqual([]);
  });
});
