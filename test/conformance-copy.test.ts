import { existsSync, readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./helpers/cli.js";

// The vectors under test/conformance are a verbatim copy of the shared ones.
const shared = `${repoRoot}../shared/conformance`;
const copy = `${repoRoot}test/conformance`;

describe("conformance vectors copy", () => {
  const names = readdirSync(copy).filter((n) => n.endsWith(".json"));

  it("holds every vector file", () => {
    expect(names.sort()).toEqual(
      ["image-spec-schema-vectors.json", "reference-divergences.json", "reference-vectors.json", "sarif-schema-2.1.0.json", "whiteout-vectors.json"],
    );
  });

  it("parses, and equals ../shared/conformance byte for byte where that is present (CI)", () => {
    for (const n of names) {
      const bytes = readFileSync(`${copy}/${n}`);
      expect(() => JSON.parse(bytes.toString("utf8")), n).not.toThrow();
      if (existsSync(shared)) expect(bytes.equals(readFileSync(`${shared}/${n}`)), n).toBe(true);
    }
  });
});
