/**
 * The distribution/reference grammar (https://github.com/distribution/reference/blob/main/regexp.go), written as linear
 * character scans instead of regular expressions: every check visits each
 * character a bounded number of times, so no input can cause backtracking.
 */

/** Registered digest algorithms we accept, with their hex length
 * (https://github.com/opencontainers/image-spec/blob/main/descriptor.md#registered-algorithms). */
export const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };

/** The hex length of a registered algorithm, or undefined (own keys only: "constructor" is no algorithm). */
export function digestHexLength(alg: string): number | undefined {
  return Object.hasOwn(DIGEST_HEX_LENGTH, alg) ? DIGEST_HEX_LENGTH[alg] : undefined;
}

/** Path length limit; it excludes the domain (NameTotalLengthMax, https://github.com/distribution/reference/blob/main/reference.go). */
export const MAX_PATH_LENGTH = 255;
export const MAX_TAG_LENGTH = 128;

const code = (s: string, i: number): number => s.charCodeAt(i);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLower = (c: number): boolean => c >= 97 && c <= 122;
const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isLowerAlnum = (c: number): boolean => isDigit(c) || isLower(c);
const isAlnum = (c: number): boolean => isLowerAlnum(c) || isUpper(c);
const isHex = (c: number): boolean => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
const isWord = (c: number): boolean => isAlnum(c) || c === 95; // \w

function every(s: string, pred: (c: number) => boolean): boolean {
  for (let i = 0; i < s.length; i++) if (!pred(code(s, i))) return false;
  return true;
}

/** path-component := [a-z0-9]+ ((?:[._]|__|[-]+) [a-z0-9]+)* */
export function isPathComponent(s: string): boolean {
  let i = 0;
  for (;;) {
    const start = i;
    while (i < s.length && isLowerAlnum(code(s, i))) i++;
    if (i === start) return false; // empty run: leading/double/trailing separator
    if (i === s.length) return true;
    const c = s[i];
    if (c === ".") i++;
    else if (c === "_") i += s[i + 1] === "_" ? 2 : 1;
    else if (c === "-") while (s[i] === "-") i++;
    else return false;
  }
}

/** domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9] */
function isDomainComponent(s: string): boolean {
  if (s.length === 0) return false;
  if (!isAlnum(code(s, 0)) || !isAlnum(code(s, s.length - 1))) return false;
  return every(s, (c) => isAlnum(c) || c === 45);
}

/** domain := (domain-name | "[" IPv6 "]") [":" port]; IPv4 is a domain-name. No zone ids. */
export function isDomain(s: string): boolean {
  let host: string;
  let rest: string;
  if (s.startsWith("[")) {
    const close = s.indexOf("]");
    if (close < 2) return false;
    if (!every(s.slice(1, close), (c) => isHex(c) || c === 58)) return false;
    host = "";
    rest = s.slice(close + 1);
  } else {
    const colon = s.indexOf(":");
    host = colon < 0 ? s : s.slice(0, colon);
    rest = colon < 0 ? "" : s.slice(colon);
    if (!host.split(".").every(isDomainComponent)) return false;
  }
  if (rest === "") return true;
  return rest[0] === ":" && rest.length > 1 && every(rest.slice(1), isDigit);
}

/** tag := [\w][\w.-]{0,127} */
export function isTag(s: string): boolean {
  return (
    s.length >= 1 &&
    s.length <= MAX_TAG_LENGTH &&
    isWord(code(s, 0)) &&
    every(s, (c) => isWord(c) || c === 46 || c === 45)
  );
}

/** 64 lowercase hex characters: an image ID, not a name (anchoredIdentifierRegexp, https://github.com/distribution/reference/blob/main/regexp.go). */
export function isHex64(s: string): boolean {
  return s.length === 64 && every(s, (c) => isDigit(c) || (c >= 97 && c <= 102));
}

/** digest-algorithm := [A-Za-z][A-Za-z0-9]* ([-_+.][A-Za-z][A-Za-z0-9]*)* */
function isDigestAlgorithmSyntax(s: string): boolean {
  let i = 0;
  for (;;) {
    if (i >= s.length || !(isLower(code(s, i)) || isUpper(code(s, i)))) return false;
    i++;
    while (i < s.length && isAlnum(code(s, i))) i++;
    if (i === s.length) return true;
    if (!"-_+.".includes(s[i]!)) return false;
    i++;
  }
}

/**
 * Validates `alg:hex`. Returns undefined when valid, else the reason.
 * Grammar: hex is [0-9a-fA-F]{32,}; then, as go-digest does, the algorithm
 * must be one we support and the hex must have its exact length, lowercase.
 */
export function digestProblem(d: string): string | undefined {
  const colon = d.indexOf(":");
  const alg = colon < 0 ? "" : d.slice(0, colon);
  const hex = colon < 0 ? "" : d.slice(colon + 1);
  if (!isDigestAlgorithmSyntax(alg) || hex.length < 32 || !every(hex, isHex)) {
    return `invalid digest ${JSON.stringify(d)}`;
  }
  const want = digestHexLength(alg);
  if (want === undefined) return `unsupported digest algorithm ${JSON.stringify(alg)}`;
  if (hex.length !== want) return `invalid ${alg} digest length ${hex.length} (want ${want})`;
  if (!every(hex, (c) => isDigit(c) || (c >= 97 && c <= 102))) return `${alg} digest must be lowercase hex`;
  return undefined;
}

/** The parts of a reference, exactly as distribution's `Parse` splits them (no normalisation). */
export interface RawReference {
  /** "" when the name has no domain component. */
  domain: string;
  path: string;
  tag?: string | undefined;
  digest?: string | undefined;
}

/** Grammar split. Returns the parts, or a reason string when the input does not match. */
function splitGrammar(s: string): RawReference | string {
  let rest = s;
  let digest: string | undefined;
  let tag: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  // A ":" after the last "/" can only start the tag (ports live before a "/").
  const colon = rest.indexOf(":", rest.lastIndexOf("/") + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (rest === "") return "missing repository name";

  const parts = rest.split("/");
  if (parts.length === 1 && rest.startsWith("[")) return "a registry host needs a repository path (host/name)";
  let domain = "";
  if (parts.length >= 2 && isDomain(parts[0]!)) domain = parts.shift()!;
  for (const [i, p] of parts.entries()) {
    if (isPathComponent(p)) continue;
    if (i === 0 && domain === "" && parts.length >= 2 && /[.:[]/.test(p)) return `invalid registry host ${JSON.stringify(p)}`;
    return p === "" ? "empty path component" : `invalid path component ${JSON.stringify(p)}`;
  }
  if (tag !== undefined && !isTag(tag)) {
    return tag.length > MAX_TAG_LENGTH
      ? `tag must not be more than ${MAX_TAG_LENGTH} characters`
      : `invalid tag ${JSON.stringify(tag)}`;
  }
  if (digest !== undefined) {
    const problem = digestProblem(digest);
    // Only a syntax problem belongs to the grammar; support/length come after the length check.
    if (problem?.startsWith("invalid digest ")) return problem;
  }
  return { domain, path: parts.join("/"), tag, digest };
}

/**
 * Mirrors distribution/reference `Parse`: grammar, then "must be lowercase"
 * when only case was wrong, then the 255-character path limit, then the digest.
 * Returns the parts or a reason.
 */
export function parseRawParts(s: string): RawReference | string {
  if (s === "") return "repository name must have at least one component";
  const raw = splitGrammar(s);
  if (typeof raw === "string") {
    const lower = s.toLowerCase();
    return lower !== s && typeof splitGrammar(lower) !== "string" ? "repository name must be lowercase" : raw;
  }
  if (raw.path.length > MAX_PATH_LENGTH) {
    return `repository name must not be more than ${MAX_PATH_LENGTH} characters`;
  }
  if (raw.digest !== undefined) {
    const problem = digestProblem(raw.digest);
    if (problem) return problem;
  }
  return raw;
}
