// docs/rules.md is generated from the rule catalogue; this fails when the
// committed file is stale, and says how to regenerate it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ruleCatalogue } from "../packages/core/src/rules/catalogue.js";
import { REGENERATE_COMMAND, renderRulesDoc } from "../packages/core/src/rules/docs.js";
import { repoRoot } from "./helpers/cli.js";

const doc = readFileSync(join(repoRoot, "docs/rules.md"), "utf8");

describe("docs/rules.md", () => {
  it("is up to date with the rule catalogue", () => {
    const fresh = renderRulesDoc(ruleCatalogue);
    expect(doc === fresh, `docs/rules.md is out of date with the rule catalogue: run \`${REGENERATE_COMMAND}\` and commit it`).toBe(true);
  });

  it("has exactly one explicit anchor per rule, and a section with its severity, fix and references", () => {
    const anchors = [...doc.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]);
    expect(anchors).toEqual(ruleCatalogue.map((r) => r.id));
    for (const r of ruleCatalogue) {
      const start = doc.indexOf(`<a id="${r.id}"></a>`);
      const next = doc.indexOf("<a id=", start + 1);
      const section = doc.slice(start, next < 0 ? undefined : next);
      expect(section).toContain(`### ${r.id}: ${r.title}`);
      expect(section).toContain(`Default severity: \`${r.severity}\``);
      expect(section).toContain(r.fix);
      for (const ref of r.references) expect(section).toContain(`(${ref.url})`);
    }
  });

  it("opens with how severities and ignores work", () => {
    const intro = doc.slice(0, doc.indexOf("## All rules"));
    expect(intro).toContain("**Severities.**");
    expect(intro).toContain("**Ignores.**");
    expect(intro).toMatch(/ignore:\n\s+- ruleId: /);
  });
});
