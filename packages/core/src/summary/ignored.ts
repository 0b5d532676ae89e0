/**
 * Ignored findings (an active ignore matched them: `suppressed`) counted
 * apart and, on request, left out of the human reports, as trivy's
 * `--show-suppressed` does the other way round
 * (https://trivy.dev/latest/docs/configuration/filtering/#suppression).
 * JSON keeps them, marked.
 */
import { findingCount, type Finding } from "../finding.js";

const isIgnored = (f: Finding): boolean => (f as { suppressed?: unknown }).suppressed !== undefined;

/** How many findings the ignores suppressed (an aggregate counts as the findings it stands for). */
export function ignoredCount(findings: readonly Finding[]): number {
  let n = 0;
  for (const f of findings) if (isIgnored(f)) n += findingCount(f);
  return n;
}

/** The findings no ignore matched. */
export function withoutIgnored<T extends Finding>(findings: readonly T[]): T[] {
  return findings.filter((f) => !isIgnored(f));
}

/** "31 findings, 16 ignored" (", hidden" when they are left out of the report). */
export function findingsPhrase(total: number, ignored: number, hidden: boolean): string {
  const base = `${total} finding${total === 1 ? "" : "s"}`;
  return ignored === 0 ? base : `${base}, ${ignored} ignored${hidden ? " and hidden" : ""}`;
}
