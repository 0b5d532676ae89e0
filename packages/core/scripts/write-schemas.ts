// Writes the published JSON Schemas: schema/policy.schema.json for
// editor completion of .layerlint.yaml / .layerlint.json, and
// schema/report.schema.json for the JSON report. Generated from the zod
// schemas; schemas.test.ts fails when the committed files drift.
//   node --import tsx packages/core/scripts/write-schemas.ts
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { schemaFiles } from "../src/policy/schema-files.js";

const dir = fileURLToPath(new URL("../schema/", import.meta.url));
for (const [name, text] of Object.entries(schemaFiles())) {
  writeFileSync(`${dir}${name}`, text);
  console.log(`wrote ${dir}${name}`);
}
