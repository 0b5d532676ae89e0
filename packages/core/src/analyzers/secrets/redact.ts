/**
 * Redaction: the only way a secret's characters reach a Finding (README.md, "The JSON report",
 * "never a raw secret"). Evidence shows at most the first 4 characters, and
 * fewer for short values, so a short password is not mostly revealed.
 */

/** Hard ceiling on the characters of a secret that may appear in evidence. */
const MAX_REVEALED = 4;

/**
 * A short prefix followed by "…". `keep` defaults to a quarter of the value
 * (so "s3cret" shows "s…"), never more than MAX_REVEALED characters.
 */
export function redact(secret: string, keep?: number): string {
  const n = Math.min(MAX_REVEALED, keep ?? Math.floor(secret.length / 4), Math.max(0, secret.length - 1));
  return `${secret.slice(0, Math.max(0, n))}…`;
}
