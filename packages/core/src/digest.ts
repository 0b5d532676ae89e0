import { createHash, type Hash } from "node:crypto";
import { LayerlintError, shortDigest } from "./errors.js";
import { digestHexLength, digestProblem } from "./reference/grammar.js";
import type { Descriptor } from "./types.js";

/** A hasher for the algorithm a digest names; unsupported algorithms are an error. */
export function hasherFor(digest: string): Hash {
  const alg = digest.slice(0, digest.indexOf(":"));
  if (digestHexLength(alg) === undefined) {
    throw new LayerlintError("UNSUPPORTED_MEDIA_TYPE", `digest ${shortDigest(digest)}: unsupported algorithm "${alg}"`);
  }
  return createHash(alg);
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** The digest of `bytes` computed with the algorithm `expected` names. */
export function digestLike(expected: string, bytes: Uint8Array): string {
  const alg = expected.slice(0, expected.indexOf(":"));
  return `${alg}:${hasherFor(expected).update(bytes).digest("hex")}`;
}

/** Throws DIGEST_MISMATCH unless `bytes` hash to `expected`. */
export function verifyBytes(bytes: Uint8Array, expected: string, what: string): void {
  if (digestLike(expected, bytes) !== expected) {
    throw new LayerlintError("DIGEST_MISMATCH", `${what} ${shortDigest(expected)} digest mismatch`);
  }
}

/** A small document read whole: SIZE_MISMATCH unless it has its descriptor's size, then verifyBytes. */
export function verifyDocument(bytes: Uint8Array, d: Pick<Descriptor, "digest" | "size">, what: string): void {
  if (bytes.length !== d.size) {
    throw new LayerlintError("SIZE_MISMATCH", `${what} ${shortDigest(d.digest)} size mismatch: got ${bytes.length} bytes, descriptor declares ${d.size}`);
  }
  verifyBytes(bytes, d.digest, what);
}

/** The hex part of a digest, validated so it can be used as a file name. */
export function digestHex(digest: string): { algorithm: string; hex: string } {
  if (digestProblem(digest) !== undefined) {
    throw new LayerlintError("MANIFEST_INVALID", `invalid digest "${digest.slice(0, 80)}"`);
  }
  const i = digest.indexOf(":");
  return { algorithm: digest.slice(0, i), hex: digest.slice(i + 1) };
}
