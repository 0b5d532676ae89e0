import { createHash, type Hash } from "node:crypto";
import { LayerlintError, shortDigest } from "./errors.js";

const algorithms: Record<string, { node: string; hexLength: number }> = {
  sha256: { node: "sha256", hexLength: 64 },
  sha512: { node: "sha512", hexLength: 128 },
};

/** A hasher for the algorithm a digest names; unsupported algorithms are an error. */
export function hasherFor(digest: string): Hash {
  const alg = digest.slice(0, digest.indexOf(":"));
  const spec = algorithms[alg];
  if (!spec) {
    throw new LayerlintError("UNSUPPORTED_MEDIA_TYPE", `digest ${shortDigest(digest)}: unsupported algorithm "${alg}"`);
  }
  return createHash(spec.node);
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

/** The hex part of a digest, validated so it can be used as a file name. */
export function digestHex(digest: string): { algorithm: string; hex: string } {
  const i = digest.indexOf(":");
  const algorithm = digest.slice(0, i);
  const hex = digest.slice(i + 1);
  const spec = algorithms[algorithm];
  if (!spec || hex.length !== spec.hexLength || !/^[0-9a-f]+$/.test(hex)) {
    throw new LayerlintError("MANIFEST_INVALID", `invalid digest "${digest.slice(0, 80)}"`);
  }
  return { algorithm, hex };
}
