/** The published JSON Schema files, by file name, as scripts/write-schemas.ts writes them. */
import { gatedReportJsonSchema } from "./gated-report.js";
import { policyJsonSchema } from "./schema.js";

export function schemaFiles(): Record<string, string> {
  const policy = policyJsonSchema();
  const report = { title: "layerlint JSON report (schemaVersion 1)", ...gatedReportJsonSchema() };
  return {
    "policy.schema.json": `${JSON.stringify(policy, null, 2)}\n`,
    "report.schema.json": `${JSON.stringify(report, null, 2)}\n`,
  };
}
