/**
 * Baselines: `--write-baseline FILE` records today's findings by
 * fingerprint; `--baseline FILE` then gates only on findings that are new
 * against it. Matching counts occurrences, so a second copy of a known
 * finding is new.
 */
import { z } from "zod";
import { LayerlintError } from "../errors.js";
import type { Finding } from "../finding.js";
import type { Report } from "../report.js";
import { issuePath } from "./load.js";
import { findingFingerprint, fingerprintOf } from "./fingerprint.js";

export const baselineSchema = z.object({
  baselineVersion: z.literal(1),
  tool: z.object({ name: z.literal("layerlint"), version: z.string() }),
  image: z.object({ input: z.string(), manifestDigest: z.string() }),
  findings: z.array(
    z.object({
      fingerprint: z.string().regex(/^[0-9a-f]{32}$/),
      ruleId: z.string(),
      path: z.string().optional(),
      severity: z.string(),
      message: z.string(),
    }),
  ),
});
export type Baseline = z.infer<typeof baselineSchema>;

/** The baseline for a report: every finding, ignored or not, in report order. */
export function createBaseline(report: Report): Baseline {
  return {
    baselineVersion: 1,
    tool: { name: "layerlint", version: report.tool.version },
    image: { input: report.image.input, manifestDigest: report.image.manifestDigest },
    findings: report.findings.map((f) => ({
      fingerprint: fingerprintOf(f),
      ruleId: f.ruleId,
      ...(f.path !== undefined ? { path: f.path } : {}),
      severity: f.severity,
      message: f.message,
    })),
  };
}

export function parseBaseline(text: string, fileName?: string): Baseline {
  const where = fileName ? ` (in ${fileName})` : "";
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new LayerlintError("POLICY_INVALID", `baseline: invalid JSON: ${(e as Error).message}${where}`);
  }
  const r = baselineSchema.safeParse(doc);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const at = issuePath(i.path);
    throw new LayerlintError("POLICY_INVALID", `baseline: ${at ? `${at}: ` : ""}${i.message}${where}`);
  }
  return r.data;
}

export type BaselineState = "new" | "unchanged";

/**
 * Per finding, in order: new, or already in the baseline. `fingerprints`,
 * when the caller already has them, is findingFingerprint of each finding
 * (same order), so they are not computed twice.
 */
export function compareBaseline(findings: readonly Finding[], baseline: Baseline, fingerprints?: readonly string[]): BaselineState[] {
  const known = new Map<string, number>();
  for (const f of baseline.findings) known.set(f.fingerprint, (known.get(f.fingerprint) ?? 0) + 1);
  return findings.map((f, i) => {
    const fp = fingerprints?.[i] ?? findingFingerprint(f);
    const n = known.get(fp) ?? 0;
    if (n === 0) return "new";
    known.set(fp, n - 1);
    return "unchanged";
  });
}
