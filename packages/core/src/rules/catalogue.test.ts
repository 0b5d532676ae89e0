import { describe, expect, it } from "vitest";
import { CATEGORIES, SEVERITIES } from "../finding.js";
import { defaultAnalyzers } from "../analyzers/index.js";
import { CAPTURE_RULES } from "../capture-findings.js";
import { GAP_RULES } from "../analysis.js";
import { checkGroup } from "../reports/check-display.js";
import { allRules, findRule, gateRules, ruleCatalogue } from "./catalogue.js";

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

describe("rule catalogue", () => {
  it("has unique kebab-case ids", () => {
    const ids = ruleCatalogue.map((r) => r.id);
    expect(ids.filter((id) => !KEBAB.test(id))).toEqual([]);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it("fills every field of every rule", () => {
    for (const r of ruleCatalogue) {
      expect(CATEGORIES, r.id).toContain(r.category);
      expect(SEVERITIES, r.id).toContain(r.severity);
      for (const field of ["title", "help", "fix"] as const) expect(r[field].trim(), `${r.id}.${field}`).not.toBe("");
      expect(r.references.length, `${r.id} cites nothing`).toBeGreaterThan(0);
      for (const ref of r.references) {
        expect(ref.title.trim(), r.id).not.toBe("");
        expect(new URL(ref.url).protocol, `${r.id}: ${ref.url}`).toBe("https:");
      }
      // One line: the title is a table cell and a SARIF shortDescription.
      expect(r.title, r.id).not.toMatch(/\n/);
    }
  });

  it("collects every analyzer's rules, the capture rules and the gate's", () => {
    const declared = [...defaultAnalyzers.flatMap((a) => a.rules), ...CAPTURE_RULES].map((r) => r.id);
    expect(allRules.map((r) => r.id)).toEqual(declared);
    expect(ruleCatalogue.map((r) => r.id)).toEqual([...declared, ...gateRules.map((r) => r.id)]);
    // The fail-closed rules are findings' rules, in the analysis or user category.
    for (const id of Object.keys(GAP_RULES)) expect(allRules.map((r) => r.id)).toContain(id);
  });

  it("names gate rules gate-<check> after a size or provenance check", () => {
    expect(gateRules.length).toBeGreaterThan(0);
    for (const r of gateRules) {
      expect(r.id.startsWith("gate-"), r.id).toBe(true);
      expect(["size", "provenance"], r.id).toContain(checkGroup(r.id.slice("gate-".length)));
    }
    expect(allRules.filter((r) => r.id.startsWith("gate-"))).toEqual([]);
  });

  it("finds a rule by id, and nothing for an unknown id", () => {
    expect(findRule("setuid-binary")?.category).toBe("setuid");
    expect(findRule("gate-max-layers")?.category).toBe("config");
    expect(findRule("no-such-rule")).toBeUndefined();
    expect(findRule("toString")).toBeUndefined();
  });
});
