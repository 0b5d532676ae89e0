/** The text report's closing gate table: failures first, each check's actual value and limit. */
import { checkCells, failuresFirst, summariseDetails, type GatedReport, type Report } from "@layerlint/core";
import { table } from "./format.js";
import type { Style } from "./style.js";

export function gateSection(r: Report | GatedReport, style: Style): string[] {
  const gate = r.gate as GatedReport["gate"];
  if (gate === undefined) return [];
  // A gate with no checks only applied ignores (--ignore, .layerlintignore): nothing passed or failed.
  if (gate.checks.length === 0) return expiredIgnores(r).map((note) => style.severity("medium", `warning: ${note}`));
  const out: string[] = [""];
  const failed = gate.checks.filter((c) => !c.passed).length;
  out.push(style.bold(`gate: ${gate.passed ? "PASSED" : "FAILED"}`) + ` (${failed} of ${gate.checks.length} checks failed)`);
  if (gate.checks.length > 0) {
    const rows = failuresFirst(gate.checks).map((c) => {
      const { actual, limit } = checkCells(c);
      return [c.passed ? "pass" : "FAIL", c.id, actual, limit, summariseDetails(c.message ?? "")];
    });
    const lines = table([["", "check", "actual", "limit", "details"], ...rows]).split("\n");
    out.push(...lines.map((l, i) => (i > 0 && rows[i - 1]![0] === "FAIL" ? style.severity("high", l) : l)));
  }
  for (const note of expiredIgnores(r)) out.push(style.severity("medium", `warning: ${note}`));
  return out;
}

/** "ignore expired on DATE: RULE PATH (REASON)" for each expired ignore of the report's gate. */
export function expiredIgnores(r: Report | GatedReport): string[] {
  const gate = r.gate as GatedReport["gate"];
  return (gate?.ignores ?? [])
    .filter((i) => i.status === "expired")
    .map((i) => `ignore expired on ${i.expires}: ${[i.ruleId, i.path].filter(Boolean).join(" ")} (${i.reason})`);
}

/** " [new]" / " [ignored: reason]" after a finding's line. */
export function findingGateTag(f: object, style: Style): string {
  const g = f as { baselineState?: string; suppressed?: { reason: string } };
  const tags: string[] = [];
  if (g.baselineState === "new") tags.push("new");
  if (g.suppressed) tags.push(`ignored: ${g.suppressed.reason}`);
  return tags.length ? style.dim(` [${tags.join("; ")}]`) : "";
}
