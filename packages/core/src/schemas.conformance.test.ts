// image-spec's own schema test cases (https://github.com/opencontainers/image-spec/tree/main/schema, a verbatim copy under
// test/conformance): our zod schemas must accept and reject the same
// documents as image-spec's JSON schemas.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { configSchema, descriptorSchema, indexSchema, manifestSchema, ociLayoutSchema } from "./schemas.js";

interface Case {
  source: string;
  validator: string;
  comment: string;
  expectFail: boolean;
  wellFormedJSON: boolean;
  document: string;
}

const { cases } = JSON.parse(
  readFileSync(new URL("../../../test/conformance/image-spec-schema-vectors.json", import.meta.url), "utf8"),
) as { cases: Case[] };

const schemas: Record<string, z.ZodType> = {
  ValidatorMediaTypeDescriptor: descriptorSchema,
  ValidatorMediaTypeImageConfig: configSchema,
  ValidatorMediaTypeImageIndex: indexSchema,
  ValidatorMediaTypeManifest: manifestSchema,
  ValidatorMediaTypeLayoutHeader: ociLayoutSchema,
};

describe("image-spec schema vectors", () => {
  it("has all 71 cases, each for a schema we have", () => {
    expect(cases).toHaveLength(71);
    for (const c of cases) expect(schemas[c.validator], c.validator).toBeDefined();
  });

  it.each(cases.map((c, i) => [`${i} ${c.validator} ${c.comment || (c.expectFail ? "fail" : "pass")}`, c] as const))("%s", (_name, c) => {
    let accepted: boolean;
    try {
      accepted = schemas[c.validator]!.safeParse(JSON.parse(c.document)).success;
    } catch {
      // Three expected failures are not JSON at all (https://github.com/opencontainers/image-spec/tree/main/schema): parsing fails first.
      expect(c.wellFormedJSON).toBe(false);
      accepted = false;
    }
    expect(accepted).toBe(!c.expectFail);
  });
});
