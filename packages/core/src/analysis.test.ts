import { describe, expect, it } from "vitest";
import { analysisOf, analysisSchema, GAP_RULES } from "./analysis.js";
import type { Finding } from "./finding.js";
import { reportJsonSchema } from "./report.js";

const gap = (ruleId: string, message: string, evidence?: Record<string, unknown>): Finding => ({
  ruleId,
  category: "analysis",
  severity: "high",
  message,
  layer: null,
  inFinalImage: true,
  evidence,
});

describe("analysisOf", () => {
  it("is complete without undetermined findings", () => {
    expect(analysisOf([{ ...gap("root-user", "root"), category: "user" }])).toEqual({ complete: true, gaps: [] });
  });

  it("lists one gap per undetermined rule with the checks it affects", () => {
    const a = analysisOf([
      { ...gap("user-undetermined", "passwd not captured"), category: "user" },
      gap("tools-undetermined", "busybox /bin/busybox not read"),
      gap("tools-undetermined", "busybox /x/busybox not read"),
    ]);
    expect(a).toEqual({
      complete: false,
      gaps: [
        { ruleId: "user-undetermined", message: "passwd not captured", affects: ["require-non-root"] },
        { ruleId: "tools-undetermined", message: "busybox /bin/busybox not read (and 1 more)", affects: [...GAP_RULES["tools-undetermined"]!].sort() },
      ],
    });
    expect(analysisSchema.parse(a)).toEqual(a);
  });

  it("a finding's evidence.affects overrides the rule's default", () => {
    expect(analysisOf([gap("tools-undetermined", "m", { affects: ["forbid-shell"] })]).gaps[0]!.affects).toEqual(["forbid-shell"]);
  });

  it("is in the published report schema, optional and additive", () => {
    const schema = reportJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(schema.properties["analysis"]).toBeDefined();
    expect(schema.required).not.toContain("analysis");
  });
});
