/**
 * Judging KEY=value pairs without seeing code: is the key a secret's name,
 * and is the value a literal secret rather than a placeholder, a variable
 * reference, a path to a secret or a public value?
 * Shared by env-style files, config.Env and image history.
 */

/** Last words of a key that name a secret on their own. */
const SECRET_LAST_WORDS = new Set([
  "password",
  "passwd",
  "passphrase",
  "pass",
  "pwd",
  "secret",
  "token",
  "apikey",
  "credential",
  "credentials",
]);

/** "<word>_key" names a secret for these words (APP_KEY is Laravel's secret). */
const SECRET_KEY_PREFIXES = new Set([
  "api",
  "access",
  "secret",
  "private",
  "auth",
  "signing",
  "encryption",
  "encrypt",
  "master",
  "client",
  "app",
  "session",
  "jwt",
  "hmac",
  "ssh",
  "account",
  "storage",
  "license",
  "subscription",
]);

/** Words that make the whole key public or not a secret at all. */
const PUBLIC_WORDS = new Set(["public", "publishable", "pub", "gpg", "pgp", "csrf", "xsrf"]);

/** Exact keys that look secret but are not (PWD is the working directory). */
const NOT_SECRET_KEYS = new Set(["pwd", "oldpwd"]);

/** "dbPassword" → ["db", "password"]; "AWS_SECRET_ACCESS_KEY" → [..., "access", "key"]. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== "");
}

/** True when the key names a secret: DB_PASSWORD, apiKey, GITHUB_TOKEN, APP_KEY. */
export function isSecretKeyName(key: string): boolean {
  if (NOT_SECRET_KEYS.has(key.toLowerCase())) return false;
  const words = keyWords(key);
  const last = words[words.length - 1];
  if (last === undefined) return false;
  if (words.some((w) => PUBLIC_WORDS.has(w))) return false;
  if (SECRET_LAST_WORDS.has(last)) return true;
  if (last === "key" || last === "keys") {
    const prev = words[words.length - 2];
    return prev !== undefined && SECRET_KEY_PREFIXES.has(prev);
  }
  // Rails' SECRET_KEY_BASE, Django's SECRET_KEY_FALLBACKS: a secret key with a suffix.
  const i = words.lastIndexOf("key");
  return i > 0 && words[i - 1] === "secret" && (last === "base" || last === "fallbacks");
}

/** Documentation and template stand-ins, compared lower-cased. */
const PLACEHOLDERS = new Set([
  "password",
  "passwd",
  "pass",
  "secret",
  "token",
  "changeme",
  "change_me",
  "change-me",
  "changeit",
  "example",
  "sample",
  "placeholder",
  "dummy",
  "test",
  "testing",
  "none",
  "null",
  "nil",
  "undefined",
  "true",
  "false",
  "yes",
  "no",
  "on",
  "off",
  "enabled",
  "disabled",
  "required",
  "optional",
  "redacted",
  "hidden",
  "masked",
  "todo",
  "fixme",
  "tbd",
  "default",
  "empty",
  "unset",
  "secret_key",
  "api_key",
  "apikey",
  "your_password",
  "yourpassword",
  "mypassword",
  "my_password",
  "prompt",
]);

const PLACEHOLDER_WORDS = /(?:^your|^my[_-]|example|placeholder|changeme|change[_-]?this|replace|insert|here$|_here|-here|dummy|sample|redacted|fake|xxxx|\*\*\*|\.\.\.)/i;

/** ${VAR}, $VAR, $(cmd), %(var)s, {{ tpl }}, <password>, @VAR@, %VAR%, ENC(...) and friends. */
const TEMPLATED = /^\$|\$\{|\$\(|%\(|%\{|\{\{|\{%|<%|^<.*>$|^\[.*\]$|^@[A-Za-z_]+@$|^%[A-Za-z_]+%$|^__[A-Za-z_]+__$|^ENC\(/;

/** True for values that stand for a secret rather than being one. */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v === "") return true;
  if (PLACEHOLDERS.has(v.toLowerCase())) return true;
  if (TEMPLATED.test(v)) return true;
  if (PLACEHOLDER_WORDS.test(v)) return true;
  if (/^(.)\1*$/.test(v)) return true; // "xxxxxx", "******", "000000"
  return false;
}

/** Strips one level of matching quotes. */
export function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2) {
    const q = t[0];
    if ((q === '"' || q === "'" || q === "`") && t[t.length - 1] === q) return t.slice(1, -1);
  }
  return t;
}

export interface LiteralOptions {
  /** Minimum length of a literal secret (issue brief: 6). */
  minLength?: number;
  /**
   * Structured formats (YAML, XML): also reject values with whitespace and
   * short letters-only words, which there are far more often labels
   * ("password: Passwort") than passwords.
   */
  strict?: boolean;
  /** The key ends in KEY/KEYS: a 40-hex fingerprint (or a list of them) is public. */
  allowFingerprints?: boolean;
  /** Reject values with whitespace: in config files those are prompts and labels ("A challenge password"). */
  noSpaces?: boolean;
}

/** `PrivateKey = sitekey.pem`: a file name points to the secret, it is not one. */
const FILE_NAME = /^[\w.@-]+\.(?:pem|key|crt|cer|der|p8|p12|pfx|jks|keystore|pub|asc|gpg|txt|json|ya?ml|conf|cfg|ini|properties|xml|env|secret)$/i;

const FINGERPRINTS = /^(?:(?:0x)?[0-9A-Fa-f]{16,40}[\s,;]*)+$/;

/** True when `value` (already unquoted) is a literal that looks like a real secret. */
export function isLiteralSecret(value: string, opts: LiteralOptions = {}): boolean {
  const v = value.trim();
  // OpenSSL passphrase sources (openssl-passphrase-options(1)): env:, file:, fd:, stdin name where
  // the secret is; pass:X is the literal X (openssl.cnf ships `secret = pass:insta` for a demo CA).
  if (/^(?:env|file|fd):|^stdin$/.test(v)) return false;
  if (v.startsWith("pass:")) return isLiteralSecret(v.slice(5), opts);
  if (v.length < (opts.minLength ?? 6)) return false;
  if (isPlaceholder(v)) return false;
  // A path to a secret is not the secret (POSTGRES_PASSWORD_FILE=/run/secrets/x).
  if (/^(?:\/|\.\.?\/|~\/|file:)/.test(v)) return false;
  // A URL without credentials (URL credentials have their own rule).
  if (/^[a-z][a-z0-9+.-]*:\/\/[^@]*$/i.test(v)) return false;
  if (opts.allowFingerprints && FINGERPRINTS.test(v)) return false;
  if (FILE_NAME.test(v)) return false;
  if ((opts.noSpaces || opts.strict) && /\s/.test(v)) return false;
  if (opts.strict) {
    if (/\s/.test(v)) return false;
    if (/^[A-Za-z]+$/.test(v) && v.length < 16) return false;
  }
  return true;
}
