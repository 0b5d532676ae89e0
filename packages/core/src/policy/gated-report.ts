/**
 * The JSON report with a gate applied (README.md, "The JSON report"). Purely
 * additive on schemaVersion 1: findings gain `fingerprint` (always, once a
 * gate ran), `baselineState` (with --baseline) and `suppressed` (matched by
 * an active ignore); `gate` gains `ignores` with each ignore's status.
 * schema/report.schema.json is generated from this schema.
 */
import { z } from "zod";
import { findingSchema, gateCheckSchema, reportSchema, type Report } from "../report.js";
import type { GateResult } from "./evaluate.js";

export const gatedFindingSchema = findingSchema.extend({
  fingerprint: z.string().optional().meta({ description: "Stable across runs: baselines and SARIF partialFingerprints use it." }),
  baselineState: z.enum(["new", "unchanged"]).optional(),
  suppressed: z.object({ kind: z.literal("ignore"), reason: z.string() }).optional(),
});

/** report.ts's gate check, with the message always present once a gate ran (same key order). */
export const gateCheckOutSchema = gateCheckSchema.extend({ message: z.string() });

export const gateSchema = z.object({
  passed: z.boolean(),
  checks: z.array(gateCheckOutSchema),
  ignores: z
    .array(
      z.object({
        ruleId: z.string().optional(),
        path: z.string().optional(),
        reason: z.string(),
        expires: z.string().optional(),
        status: z.enum(["active", "expired"]),
        matched: z.number().int().nonnegative(),
      }),
    )
    .optional(),
});

export const gatedReportSchema = reportSchema.extend({
  findings: z.array(gatedFindingSchema),
  gate: gateSchema.optional(),
});

export type GatedReport = z.infer<typeof gatedReportSchema>;
export type GatedFinding = z.infer<typeof gatedFindingSchema>;

/** The report's JSON Schema as published (schema/report.schema.json). */
export function gatedReportJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(gatedReportSchema, { target: "draft-2020-12" }) as Record<string, unknown>;
}

/** Merges a gate result into the report for output. */
export function applyGate(report: Report, gate: GateResult): GatedReport {
  return {
    ...report,
    findings: report.findings.map((f, i) => {
      const s = gate.findings[i]!;
      return {
        ...f,
        fingerprint: s.fingerprint,
        ...(s.baselineState !== undefined ? { baselineState: s.baselineState } : {}),
        ...(s.suppressed !== undefined ? { suppressed: s.suppressed } : {}),
      };
    }),
    gate: {
      passed: gate.passed,
      checks: gate.checks,
      ...(gate.ignores.length > 0 ? { ignores: gate.ignores } : {}),
    },
  };
}
