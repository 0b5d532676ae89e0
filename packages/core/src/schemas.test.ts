import { describe, expect, it } from "vitest";
import { LayerlintError } from "./errors.js";
import { parseJson } from "./parse-json.js";
import { digestSchema, manifestSchema } from "./schemas.js";

const hex = "a".repeat(64);

function manifest(layerDigest: string): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: `sha256:${hex}`, size: 2 },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: layerDigest, size: 3 }],
  });
}

describe("digestSchema", () => {
  it("checks registered algorithms' hex length and case; accepts unknown algorithms on the pattern", () => {
    expect(digestSchema.safeParse(`sha256:${hex}`).success).toBe(true);
    expect(digestSchema.safeParse(`sha512:${hex}${hex}`).success).toBe(true);
    expect(digestSchema.safeParse(`sha256:${hex.slice(1)}`).success).toBe(false);
    expect(digestSchema.safeParse(`sha256:${hex.toUpperCase()}`).success).toBe(false);
    expect(digestSchema.safeParse(`sha512:${hex}`).success).toBe(false);
    expect(digestSchema.safeParse("foo+bar:abc").success).toBe(true);
  });

  it("an algorithm named like an Object.prototype key is unknown, not a crash", () => {
    // "constructor" is an own key of no table: it used to reach Object's constructor and throw a TypeError.
    for (const d of ["constructor:abc", "constructor:" + hex]) {
      expect(() => digestSchema.safeParse(d)).not.toThrow();
      expect(digestSchema.safeParse(d).success).toBe(true);
    }
  });

  it("such a digest in a manifest parses like any unknown algorithm; a bad one is a LayerlintError", () => {
    expect(() => parseJson(manifest("constructor:abc"), manifestSchema, "manifest", "MANIFEST_INVALID")).not.toThrow();
    let err: unknown;
    try {
      parseJson(manifest("constructor:"), manifestSchema, "manifest", "MANIFEST_INVALID");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LayerlintError);
    expect((err as LayerlintError).code).toBe("MANIFEST_INVALID");
    expect((err as LayerlintError).message).toMatch(/^manifest: layers\.0\.digest: /);
  });
});
