import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { schemaFiles } from "./schema-files.js";

const dir = fileURLToPath(new URL("../../schema/", import.meta.url));

describe("published JSON Schemas", () => {
  for (const [name, text] of Object.entries(schemaFiles())) {
    it(`schema/${name} is what scripts/write-schemas.ts generates`, () => {
      // Regenerate with: node --import tsx packages/core/scripts/write-schemas.ts
      expect(readFileSync(`${dir}${name}`, "utf8")).toBe(text);
    });
  }
});
