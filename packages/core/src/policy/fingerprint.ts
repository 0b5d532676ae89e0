/**
 * A finding's stable fingerprint: the same finding gets the same
 * value on every run and every rebuild that does not change it, so a
 * baseline and SARIF partialFingerprints keep matching.
 *
 * Hashed: ruleId, category, path, inFinalImage, and the evidence fields that
 * describe the thing itself (tool, mode, owner, account, redacted secret
 * prefix, line…). Left out: anything that names a layer (`layer`,
 * `passwdLayer`, digests, diff_ids) or where bytes sit in a blob, because
 * adding or rebuilding an unrelated layer below shifts those while the
 * finding stays the same. A tool's `paths` (every name that reaches it) are
 * left out: a link added later does not make the binary another finding.
 * Severity and message are left out too: wording
 * and scoring may change between versions without the finding changing.
 */
import { createHash } from "node:crypto";
import type { Finding } from "../finding.js";

const UNSTABLE_KEY = /layer|digest|diffid|offset|mtime|^index$|^historyindex$|^size$|^bytes$|^paths$/i;

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort()
        .map((k) => [k, canonical(o[k])]),
    );
  }
  return v;
}

export function stableEvidence(evidence: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!evidence) return {};
  return Object.fromEntries(Object.entries(evidence).filter(([k]) => !UNSTABLE_KEY.test(k)));
}

/** The fingerprint a gated report's finding already carries, else computed. */
export function fingerprintOf(f: Finding & { fingerprint?: string | undefined }): string {
  return f.fingerprint ?? findingFingerprint(f);
}

/** 32 hex characters of SHA-256 over the stable fields. */
export function findingFingerprint(f: Finding): string {
  const doc = canonical([f.ruleId, f.category, f.path ?? null, f.inFinalImage, stableEvidence(f.evidence)]);
  return createHash("sha256").update(JSON.stringify(doc)).digest("hex").slice(0, 32);
}
