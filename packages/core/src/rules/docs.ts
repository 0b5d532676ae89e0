/**
 * docs/rules.md, rendered from the catalogue: an intro on severities and
 * ignores, a table of every rule, then one section per rule under an
 * explicit `<a id="<ruleId>"></a>` anchor, the target of SARIF's helpUri.
 * The heading carries the title too, so GitHub's own heading slug never
 * duplicates the anchor's id. Pure: scripts/write-docs.ts writes the file, and a
 * test fails when the file differs from this output.
 */
import type { RuleInfo } from "../analyzers/analyzer.js";
import { CATEGORY_TITLES } from "../reports/check-display.js";

/** Where docs/rules.md is published; `#<ruleId>` is each rule's anchor. */
export const RULES_DOC_URL = "https://github.com/layerlint/layerlint/blob/main/docs/rules.md";

/** The documentation link of one rule. */
export function ruleAnchor(id: string): string {
  return `${RULES_DOC_URL}#${id}`;
}

export const REGENERATE_COMMAND = "pnpm docs:rules";

const INTRO = `# layerlint rules

<!-- Generated from the rule catalogue (packages/core/src/rules/) by \`${REGENERATE_COMMAND}\`. Do not edit by hand. -->

Every finding layerlint reports carries a rule ID, shown on each line of the
text report, in the JSON report's \`ruleId\` and as the SARIF rule. This page
documents each rule: what it finds, why it matters, how to fix it, and where
the advice comes from. \`layerlint rules\` prints the same catalogue (\`-f json\`
as JSON).

**Severities.** Each rule has a default severity: \`critical\`, \`high\`,
\`medium\`, \`low\` or \`info\`. Some rules raise or lower it for a particular
finding (a private key readable by everyone is critical, one only root can read
is high); the rule's description says when. \`--fail-on SEVERITY\` (or the
policy's \`findings.failOn\`) fails the gate on any finding at that severity or
above.

**Ignores.** A finding that is accepted is ignored by rule ID, by path glob,
or both. The policy file lists ignores with the reason and an optional expiry
date, after which the finding counts again:

\`\`\`yaml
ignore:
  - ruleId: setuid-binary
    path: /usr/local/bin/ping-helper
    reason: our setuid helper, reviewed by the platform team
    expires: 2027-06-30
\`\`\`

\`--ignore RULE[:PATH-GLOB]\` and a \`.layerlintignore\` file (one rule ID per
line, \`#\` comments, as \`.trivyignore\`) ignore findings the same way, without
a reason; the ignore file in the working directory is read only when no
\`--policy\` is named (\`--ignorefile FILE\` names one).

An ignored finding is still reported, marked as ignored, and no longer fails
the gate. The \`analysis\` rules (\`*-undetermined\`) say that the scan could not
decide something: the gate checks they affect fail closed, until the cause is
fixed or every finding of that rule is ignored.

The \`gate-*\` rules are not findings: they are the SARIF results of failed
size and provenance checks of the policy, so that they show in code scanning.
`;

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function section(r: RuleInfo): string {
  const refs = r.references.map((ref) => `- [${ref.title.replace(/[[\]]/g, "\\$&")}](${ref.url})`).join("\n");
  return [
    `<a id="${r.id}"></a>`,
    "",
    `### ${r.id}: ${r.title}`,
    "",
    `- Category: \`${r.category}\` (${CATEGORY_TITLES[r.category] ?? r.category})`,
    `- Default severity: \`${r.severity}\``,
    "",
    `**Why it matters.** ${r.help}`,
    "",
    `**How to fix.** ${r.fix}`,
    "",
    "**References**",
    "",
    refs,
    "",
  ].join("\n");
}

/** docs/rules.md for these rules (the catalogue): findings' rules first, then the gate's. */
export function renderRulesDoc(rules: readonly RuleInfo[]): string {
  const table = [
    "| Rule | Category | Severity | Finds |",
    "| --- | --- | --- | --- |",
    ...rules.map((r) => `| [\`${r.id}\`](#${r.id}) | ${r.category} | ${r.severity} | ${cell(r.title)} |`),
  ].join("\n");
  const finding = rules.filter((r) => !r.id.startsWith("gate-"));
  const gate = rules.filter((r) => r.id.startsWith("gate-"));
  const parts = [INTRO, "## All rules", "", table, "", "## Finding rules", "", ...finding.map(section)];
  if (gate.length > 0) parts.push("## Policy gate rules (SARIF)", "", ...gate.map(section));
  return `${parts.join("\n").replace(/\n+$/, "")}\n`;
}
