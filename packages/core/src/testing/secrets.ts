/**
 * Test helper: synthetic secrets, built at run time from a seeded generator
 * so no token-shaped literal sits in the source (repository secret scanners
 * would flag it) and every test plants distinct values.
 */
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE64 = ALNUM + "+/";

let seed = 20240601;
function next(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed >>> 8;
}

export function randomString(n: number, alphabet = ALNUM): string {
  let s = "";
  for (let i = 0; i < n; i++) s += alphabet[next() % alphabet.length];
  return s;
}

export const fake = {
  awsKeyId: () => "AK" + "IA" + randomString(16, BASE32),
  awsSecret: () => randomString(38, BASE64) + "a9",
  github: (p = "p") => "gh" + p + "_" + randomString(36),
  githubPat: () => "github" + "_pat_" + randomString(82, ALNUM + "_"),
  gitlab: () => "gl" + "pat-" + randomString(20),
  slack: () => "xo" + "xb-" + randomString(11, "0123456789") + "-" + randomString(13, "0123456789") + "-" + randomString(24),
  stripe: () => "sk" + "_live_" + randomString(24),
  google: () => "AI" + "za" + randomString(35, ALNUM + "_-"),
  npm: () => "np" + "m_" + randomString(34) + "A1",
  password: () => "pw" + randomString(10) + "7!",
};

/** A PEM block with a plausible (random) base64 body. */
export function pemBlock(label = "RSA PRIVATE KEY", lines = 6): string {
  const body = Array.from({ length: lines }, () => randomString(64, BASE64)).join("\n");
  return `-----BEGIN ${label}-----\n${body}\n${randomString(20, BASE64)}==\n-----END ${label}-----\n`;
}

/** Public type prefixes longer than 4 characters (rule names contain them too). */
const PUBLIC_PREFIXES = ["github_pat_"];

/** Every 5-character window of a secret, bar those inside a public type prefix: none may appear in a report. */
export function windows(secret: string, n = 5): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= secret.length; i++) {
    const w = secret.slice(i, i + n);
    if (!PUBLIC_PREFIXES.some((p) => secret.startsWith(p) && i + n <= p.length)) out.push(w);
  }
  return out;
}
