/**
 * The rule catalogue: every ruleId a user can see, with its category,
 * default severity, title, why it matters, how to fix it and references.
 * Analyzers declare their rules next to their code (Analyzer.rules); this
 * module only collects them, so a new rule is catalogued by being declared.
 * Feeds `layerlint rules`, SARIF rules and docs/rules.md (rules/docs.ts).
 */
import type { RuleInfo } from "../analyzers/analyzer.js";
import { defaultAnalyzers } from "../analyzers/index.js";
import { CAPTURE_RULES } from "../capture-findings.js";
import { GATE_RULES } from "./gate-rules.js";

/** Every ruleId a finding can carry, with its documentation (SARIF rules). */
export const allRules: readonly RuleInfo[] = [...defaultAnalyzers.flatMap((a) => a.rules), ...CAPTURE_RULES];

/** The `gate-<check>` ruleIds of failed size and provenance checks (SARIF only; gate-rules.ts). */
export const gateRules: readonly RuleInfo[] = GATE_RULES;

/** Every rule, findings' first, then the gate's: what `layerlint rules` and docs/rules.md list. */
export const ruleCatalogue: readonly RuleInfo[] = [...allRules, ...gateRules];

const byId: ReadonlyMap<string, RuleInfo> = new Map(ruleCatalogue.map((r) => [r.id, r]));

/** The catalogued rule with this id, or undefined. */
export function findRule(id: string): RuleInfo | undefined {
  return byId.get(id);
}
