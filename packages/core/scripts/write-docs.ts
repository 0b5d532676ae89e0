/**
 * Writes docs/rules.md from the catalogue: `pnpm docs:rules` (run with tsx
 * from the repository root). src/rules/docs.ts holds the rendering; a test
 * compares the committed file with it. A script, not part of the package.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ruleCatalogue } from "../src/rules/catalogue.js";
import { renderRulesDoc } from "../src/rules/docs.js";

const target = fileURLToPath(new URL("../../../docs/rules.md", import.meta.url));
writeFileSync(target, renderRulesDoc(ruleCatalogue));
