/**
 * Writes docs/rules.md from the catalogue: `pnpm docs:rules` (run with tsx
 * from the repository root). docs.ts holds the rendering; a test compares
 * the committed file with it.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ruleCatalogue } from "./catalogue.js";
import { renderRulesDoc } from "./docs.js";

const target = fileURLToPath(new URL("../../../../docs/rules.md", import.meta.url));
writeFileSync(target, renderRulesDoc(ruleCatalogue));
