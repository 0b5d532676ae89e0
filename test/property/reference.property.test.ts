// Property: the reference parser (https://github.com/distribution/reference/blob/main/normalize.go) throws nothing but LayerlintError
// on any input, and what it prints parses back to the same reference.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LayerlintError } from "../../packages/core/src/errors.js";
import {
  parseAnyReference,
  parseDockerRef,
  parseReference,
  type ImageReference,
} from "../../packages/core/src/reference/index.js";
import { params, timeout } from "./runs.js";

const lowerAlnum = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789".split(""));
const alnum = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".split(""));
const word = (min: number, max: number, chars = lowerAlnum) => fc.array(chars, { minLength: min, maxLength: max }).map((a) => a.join(""));

/** path-component := [a-z0-9]+ ((?:[._]|__|[-]+) [a-z0-9]+)* */
const component = fc
  .tuple(word(1, 6), fc.array(fc.tuple(fc.constantFrom(".", "_", "__", "-", "--"), word(1, 5)), { maxLength: 2 }))
  .map(([head, rest]) => head + rest.map(([s, w]) => s + w).join(""));

const domain = fc.oneof(
  fc.constantFrom("docker.io", "index.docker.io", "localhost", "localhost:5000", "ghcr.io", "[::1]:5000", "[fe80::1]", "10.0.0.1:443", "Example.COM"),
  fc.tuple(fc.array(word(1, 6, alnum), { minLength: 2, maxLength: 3 }), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }))
    .map(([parts, port]) => parts.join(".") + (port === undefined ? "" : `:${port}`)),
);

const tag = fc
  .tuple(fc.constantFrom(..."abcXYZ019_".split("")), fc.array(fc.constantFrom(..."aZ9_.-".split("")), { maxLength: 20 }))
  .map(([h, t]) => h + t.join(""));
const hex = (n: number) => fc.array(fc.constantFrom(..."0123456789abcdef".split("")), { minLength: n, maxLength: n }).map((a) => a.join(""));
const digest = fc.oneof(hex(64).map((h) => `sha256:${h}`), hex(128).map((h) => `sha512:${h}`));

/** Mostly well-formed references, so the round trip is exercised often. */
const structured = fc
  .tuple(
    fc.option(domain, { nil: undefined }),
    fc.array(component, { minLength: 1, maxLength: 3 }),
    fc.option(tag, { nil: undefined }),
    fc.option(digest, { nil: undefined }),
  )
  .map(([d, path, t, dg]) => `${d === undefined ? "" : `${d}/`}${path.join("/")}${t === undefined ? "" : `:${t}`}${dg === undefined ? "" : `@${dg}`}`);

/** Well-formed references with a few characters changed, inserted or removed. */
const mutated = fc
  .tuple(structured, fc.array(fc.tuple(fc.nat(), fc.constantFrom("", ":", "/", "@", ".", "-", "_", "A", "[", "]", " ", "é", "\u0000", "..", "//")), { minLength: 1, maxLength: 4 }))
  .map(([s, edits]) => {
    let out = s;
    for (const [at, ins] of edits) {
      const i = at % (out.length + 1);
      out = out.slice(0, i) + ins + out.slice(i + (ins === "" ? 1 : 0));
    }
    return out;
  });

const anyInput = fc.oneof(
  { arbitrary: structured, weight: 4 },
  { arbitrary: mutated, weight: 4 },
  { arbitrary: fc.string({ maxLength: 80 }), weight: 1 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 40 }), weight: 1 },
  { arbitrary: fc.string({ minLength: 250, maxLength: 600, unit: fc.constantFrom("a", "/", ":", ".", "b") }), weight: 1 },
);

/** Runs `f`; anything thrown must be a LayerlintError with code INVALID_REFERENCE. */
function attempt<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    expect(e).toBeInstanceOf(LayerlintError);
    expect((e as LayerlintError).code).toBe("INVALID_REFERENCE");
    expect((e as LayerlintError).message).not.toContain("\n");
    return undefined;
  }
}

const parts = (r: ImageReference) => ({ registry: r.registry, repository: r.repository, tag: r.tag, digest: r.digest, host: r.host });

describe("reference parser (property)", () => {
  it(
    "throws only LayerlintError, and printing then parsing gives the same reference",
    () => {
      let parsed = 0;
      let runs = 0;
      fc.assert(
        fc.property(anyInput, (input) => {
          runs++;
          const r = attempt(() => parseReference(input));
          attempt(() => parseDockerRef(input));
          attempt(() => parseAnyReference(input));
          if (r === undefined) return;
          parsed++;
          const printed = r.toString();
          const again = parseReference(printed);
          expect(parts(again)).toEqual(parts(r));
          expect(again.toString()).toBe(printed);
          if (r.digest !== undefined) expect(parseReference(r.pinned(r.digest)).digest).toBe(r.digest);
        }),
        params(5000),
      );
      // The round trip must actually be exercised, not only the error path.
      expect(parsed / runs).toBeGreaterThan(0.25);
    },
    timeout(60_000),
  );
});
