/**
 * `--severity`: the findings shown and reported. A display filter only:
 * the gate has already evaluated every finding, so hiding one can never
 * turn a failed gate into a pass; the text report says how many it hid.
 */
import { findingCount, SEVERITIES, type Report, type Severity } from "@layerlint/core";

export interface Hidden {
  total: number;
  bySeverity: Partial<Record<Severity, number>>;
}

/**
 * The report with only the findings at `keep` (all when undefined), and
 * what was hidden. `summary` still counts every finding, as it already
 * does when a rule's list is cut short.
 */
export function filterBySeverity<R extends Report>(report: R, keep: readonly Severity[] | undefined): { report: R; hidden: Hidden } {
  const hidden: Hidden = { total: 0, bySeverity: {} };
  if (keep === undefined) return { report, hidden };
  const findings = report.findings.filter((f) => {
    if (keep.includes(f.severity)) return true;
    hidden.total += findingCount(f);
    hidden.bySeverity[f.severity] = (hidden.bySeverity[f.severity] ?? 0) + findingCount(f);
    return false;
  });
  return { report: { ...report, findings } as R, hidden };
}

/** The text report's closing line: `--severity high,critical hid 12 findings (medium 9, low 3); the gate evaluated all of them`. */
export function hiddenLine(keep: readonly Severity[], hidden: Hidden, gated: boolean): string {
  const counts = SEVERITIES.filter((s) => hidden.bySeverity[s])
    .reverse()
    .map((s) => `${s} ${hidden.bySeverity[s]}`)
    .join(", ");
  const what = `${hidden.total} finding${hidden.total === 1 ? "" : "s"}${counts ? ` (${counts})` : ""}`;
  return `--severity ${keep.join(",")} hid ${what}${gated ? "; the gate evaluated all of them" : ""}`;
}
