import { describe, expect, it } from "vitest";
import { boundFindings, MAX_FINDINGS_PER_RULE, SAMPLE_PATHS } from "./bound-findings.js";
import type { Finding, Severity } from "./finding.js";

const f = (ruleId: string, i: number, severity: Severity = "medium", inFinalImage = true): Finding => ({
  ruleId,
  category: "permissions",
  severity,
  message: `${ruleId} ${i}`,
  path: `/p/${String(i).padStart(7, "0")}`,
  layer: 0,
  inFinalImage,
});

describe("boundFindings", () => {
  it("keeps up to the limit per rule and aggregates the rest with exact counts", () => {
    const many = [
      ...Array.from({ length: 50 }, (_, i) => f("unsafe-tar-entry", i, "high")),
      ...Array.from({ length: 999_950 }, (_, i) => f("unsafe-tar-entry", 50 + i, "medium", i % 2 === 0)),
      f("world-writable-file", 0),
    ];
    const out = boundFindings(many);
    expect(out).toHaveLength(MAX_FINDINGS_PER_RULE + 2);
    const agg = out.find((x) => x.aggregate !== undefined)!;
    expect(agg.aggregate).toEqual({
      count: 1_000_000 - MAX_FINDINGS_PER_RULE,
      inFinalImage: (999_950 - (MAX_FINDINGS_PER_RULE - 50)) / 2,
      bySeverity: { medium: 1_000_000 - MAX_FINDINGS_PER_RULE },
      samplePaths: Array.from({ length: SAMPLE_PATHS }, (_, i) => `/p/${String(MAX_FINDINGS_PER_RULE + i).padStart(7, "0")}`),
    });
    expect(agg).toMatchObject({ ruleId: "unsafe-tar-entry", category: "permissions", severity: "medium", layer: null, inFinalImage: true });
    expect(agg.message).toContain(`${1_000_000 - MAX_FINDINGS_PER_RULE} more unsafe-tar-entry findings`);
    // JSON stays small: one million findings in well under a megabyte.
    expect(JSON.stringify(out).length).toBeLessThan(100_000);
  });

  it("leaves a list within the limit untouched", () => {
    const few = Array.from({ length: MAX_FINDINGS_PER_RULE }, (_, i) => f("r", i));
    expect(boundFindings(few)).toEqual(few);
  });

  it("keeps an analyzer's own aggregate as it is while the rule has room", () => {
    const pre: Finding = { ...f("r", 0), path: undefined, message: "12 more", aggregate: { count: 12, inFinalImage: 0, bySeverity: { high: 12 }, samplePaths: [] } };
    expect(boundFindings([f("r", 1, "high"), pre], 2)).toEqual([f("r", 1, "high"), pre]);
  });

  it("merges an analyzer's own aggregate into the rest past the limit", () => {
    const pre: Finding = { ...f("r", 0), path: undefined, aggregate: { count: 10, inFinalImage: 4, bySeverity: { low: 10 }, samplePaths: ["/a"] } };
    const out = boundFindings([f("r", 1, "high"), pre], 1);
    expect(out[1]!.aggregate).toEqual({ count: 10, inFinalImage: 4, bySeverity: { low: 10 }, samplePaths: ["/a"] });
  });
});
