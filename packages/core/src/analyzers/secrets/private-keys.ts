/**
 * Private key blocks: PEM (RFC 7468 labels RSA, EC, DSA, OPENSSH, ENCRYPTED,
 * plain PKCS#8), OpenPGP armored secret keys and PuTTY .ppk files.
 *
 * A BEGIN line alone is not a key: library code holds the marker as a string
 * constant ("-----BEGIN RSA PRIVATE KEY-----") to parse keys. A block counts
 * only when a body follows: its END line with a base64 run of ≥ 40 characters
 * in between, or (capture cut short, no END) ≥ 2 base64 lines of ≥ 40.
 */
import type { SecretMatch } from "./secret-rules.js";

const BEGIN =
  /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |ANY |SSH2 ENCRYPTED )?PRIVATE KEY|PGP PRIVATE KEY BLOCK)-----/g;

/** A real body line is 64 (PEM) or 70 (OpenSSH) base64 characters. */
const BASE64_RUN = /[A-Za-z0-9+/=]{40,}/;
const BASE64_LINE = /^\s*["']?[A-Za-z0-9+/=]{40,}/;
/** PEM headers (RFC 1421 Proc-Type/DEK-Info, PGP armor headers) between BEGIN and the body. */
const HEADER_LINE = /^\s*(?:[A-Za-z-]+:\s.*|)$/;
/** How far to look for the END line. 16 KiB holds an RSA-8192 key. */
const MAX_BLOCK = 64 * 1024;

function hasBody(text: string, from: number, label: string): boolean {
  const end = text.indexOf(`-----END ${label}-----`, from);
  if (end >= 0 && end - from <= MAX_BLOCK) return BASE64_RUN.test(text.slice(from, end));
  // No END line (the capture may be cut short): look at the next few lines.
  const lines = text.slice(from, from + 4096).split("\n").slice(1, 12);
  let body = 0;
  for (const l of lines) {
    if (BASE64_LINE.test(l)) body++;
    else if (body === 0 && HEADER_LINE.test(l)) continue;
    else break;
  }
  return body >= 2;
}

export function findPrivateKeys(text: string): SecretMatch[] {
  const out: SecretMatch[] = [];
  if (text.includes("PRIVATE KEY")) {
    BEGIN.lastIndex = 0;
    for (const m of text.matchAll(BEGIN)) {
      const label = m[1] ?? "";
      const after = m.index + m[0].length;
      if (!hasBody(text, after, label)) continue;
      const head = text.slice(after, after + 200);
      out.push({
        ruleId: "secret-private-key",
        rule: label.startsWith("PGP") ? "pgp-private-key" : "pem-private-key",
        index: m.index,
        redacted: m[0],
        encrypted: label.includes("ENCRYPTED") || /Proc-Type:\s*4,ENCRYPTED/.test(head),
      });
    }
  }
  // PuTTY: "PuTTY-User-Key-File-3: ssh-ed25519" then "Private-Lines: N".
  const putty = text.indexOf("PuTTY-User-Key-File-");
  if (putty >= 0 && /^Private-Lines:\s*\d+/m.test(text.slice(putty, putty + MAX_BLOCK))) {
    const header = /PuTTY-User-Key-File-\d+/.exec(text.slice(putty, putty + 40))?.[0] ?? "PuTTY-User-Key-File";
    const enc = /^Encryption:\s*(\S+)/m.exec(text.slice(putty, putty + 400))?.[1];
    out.push({
      ruleId: "secret-private-key",
      rule: "putty-private-key",
      index: putty,
      redacted: header,
      encrypted: enc !== undefined && enc !== "none",
    });
  }
  return out;
}
