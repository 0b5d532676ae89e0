import { AUTH_HEADER_PREFIX, SECRET_FLAG_NAMES, isSecretPair, redact } from "./analyzers/secrets/index.js";

/** A value that names nothing secret: a variable reference or a placeholder. */
function isReference(v: string): boolean {
  return v.startsWith("$") || /^<.*>$/.test(v) || /^\*+$/.test(v);
}

function mask(v: string): string {
  return isReference(v) ? v : redact(v);
}

/**
 * The detector's credential flags (secret-config.ts) plus looser ones only
 * display masks: everything the detector reports must be masked here.
 */
const SECRET_FLAG = new RegExp(String.raw`(--(?:${[...SECRET_FLAG_NAMES, "pass", "auth"].join("|")})[=\s]+)("[^"]+"|'[^']+'|["']?[^\s"']+)`, "gi");
const AUTH_HEADER = new RegExp(String.raw`(${AUTH_HEADER_PREFIX}\s*)([^\s"']+)`, "gi");

/** A flag's value: a quoted one is masked whole (spaces included), quotes kept. */
function maskFlagValue(v: string): string {
  const q = v[0];
  if ((q === '"' || q === "'") && v.length > 1 && v.endsWith(q)) return `${q}${mask(v.slice(1, -1))}${q}`;
  if (q === '"' || q === "'") return `${q}${mask(v.slice(1))}`;
  return mask(v);
}

/**
 * Masks what looks like a credential in free text that reports or `info`
 * print (created_by lines, Env values, Entrypoint/Cmd, evidence commands).
 * It errs on the side of masking: a masked harmless word costs nothing,
 * a printed secret is a leak. Keeps at most a quarter, and at most four
 * characters, of each value (the `redact` rule).
 */
export function redactText(text: string): string {
  return (
    text
      // scheme://user:password@host
      .replace(/(\/\/[^/\s:@]+:)([^@\s/]+)@/g, (_, a: string, pw: string) => `${a}${mask(pw)}@`)
      // curl -u user:pass, -uuser:pass, --user user:pass
      .replace(/((?:^|\s)(?:-u|--user)[\s=]*["']?[^\s:"']+:)([^\s"']+)/g, (_, a: string, pw: string) => `${a}${mask(pw)}`)
      // Authorization: Bearer x, PRIVATE-TOKEN: x, X-API-Key: x
      .replace(AUTH_HEADER, (_, a: string, v: string) => `${a}${mask(v)}`)
      // --password=x, --token x, --access-token "x y", --client-secret x
      .replace(SECRET_FLAG, (_, a: string, v: string) => `${a}${maskFlagValue(v)}`)
      // mysql -pSECRET (a value glued to -p)
      .replace(/((?:^|\s)-p)([^\s"'-][^\s"']{3,})/g, (_, a: string, v: string) => `${a}${mask(v)}`)
      // echo SECRET | docker login / --password-stdin
      .replace(/(echo\s+["']?)([^\s"'|]+)(["']?\s*\|\s*(?:docker|podman|helm|skopeo)\s+(?:registry\s+)?login)/g, (_, a: string, v: string, b: string) => `${a}${mask(v)}${b}`)
      // "password": "x" in JSON
      .replace(/("([A-Za-z0-9_.-]+)"\s*:\s*")([^"]+)(")/g, (all, a: string, key: string, v: string, b: string) =>
        isSecretPair(key, v) ? `${a}${mask(v)}${b}` : all,
      )
      // KEY=value with a secret-looking key
      .replace(/\b([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s"']+)/g, (all, key: string, value: string) => {
        const bare = value.replace(/^["']|["']$/g, "");
        // Display errs toward masking: any key naming a credential, even
        // where the detector is stricter (PGPASSWORD, MYSQL_PWD…).
        const named = /pass|pwd|secret|token|api_?key|private|credential/i.test(key) && bare.length >= 4;
        return isSecretPair(key, bare) || (named && !isReference(bare)) ? `${key}=${mask(bare)}` : all;
      })
      // long random-looking words: tokens (hex-only words are digests, kept)
      .replace(/[A-Za-z0-9_+/-]{24,}=*/g, (w) =>
        /[0-9]/.test(w) && /[A-Za-z]/.test(w) && !/^[0-9a-f]+$/i.test(w) && !w.includes("/") ? redact(w, 4) : w,
      )
  );
}
