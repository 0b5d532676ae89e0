/**
 * Fail closed: what the scan could not decide. When an analyzer cannot see
 * what it needs (content not captured, only in part, unparseable), it emits
 * a finding with its own "undetermined" rule instead of guessing "fine".
 * The report lists those as `analysis.gaps`, each naming the gate checks it
 * makes undecidable (`affects`), and the gate fails those checks
 * (policy/evaluate.ts): a check passes only on a complete view.
 */
import { z } from "zod";
import type { Finding } from "./finding.js";

/** Gate check ids a busybox with an unknown applet list leaves open (its applets include sh, dpkg/rpm, wget, nc…). */
export const TOOL_GATE_CHECKS = ["forbid-shell", "forbid-package-manager", "forbid-download-tool", "forbid-network-tool"] as const;

/**
 * The rules whose findings are gaps, with the gate checks each affects by
 * default. A finding may narrow or widen that with `evidence.affects`
 * (a string list).
 */
export const GAP_RULES: Readonly<Record<string, readonly string[]>> = {
  "user-undetermined": ["require-non-root"],
  "tools-undetermined": TOOL_GATE_CHECKS,
  "content-undetermined": ["fail-on", "new-findings"],
};

export function isGapRule(ruleId: string): boolean {
  return Object.hasOwn(GAP_RULES, ruleId);
}

export const gapSchema = z.object({
  ruleId: z.string(),
  message: z.string(),
  affects: z.array(z.string()).meta({ description: "Gate check ids this gap makes undecidable; the gate fails them." }),
});

export const analysisSchema = z
  .object({
    complete: z.boolean().meta({ description: "True when no analyzer reported a gap." }),
    gaps: z.array(gapSchema),
  })
  .meta({ description: "What the scan could not see or decide. A gate check listed in some gap's affects fails." });

export type Gap = z.infer<typeof gapSchema>;
export type Analysis = z.infer<typeof analysisSchema>;

function affectsOf(f: Finding): string[] {
  const a = f.evidence?.["affects"];
  if (Array.isArray(a) && a.every((x) => typeof x === "string")) return a as string[];
  return [...(GAP_RULES[f.ruleId] ?? [])];
}

/**
 * One gap per gap rule found: its first finding's message (findings come
 * sorted), how many more there are, and every check any of them affects.
 */
export function analysisOf(findings: readonly Finding[]): Analysis {
  const byRule = new Map<string, { message: string; affects: Set<string>; count: number }>();
  for (const f of findings) {
    if (!isGapRule(f.ruleId)) continue;
    const n = f.aggregate?.count ?? 1;
    const g = byRule.get(f.ruleId);
    if (g === undefined) byRule.set(f.ruleId, { message: f.message, affects: new Set(affectsOf(f)), count: n });
    else {
      g.count += n;
      for (const a of affectsOf(f)) g.affects.add(a);
    }
  }
  const gaps = [...byRule].map(([ruleId, g]) => ({
    ruleId,
    message: g.count > 1 ? `${g.message} (and ${g.count - 1} more)` : g.message,
    affects: [...g.affects].sort(),
  }));
  return { complete: gaps.length === 0, gaps };
}
