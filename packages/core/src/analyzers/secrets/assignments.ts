/**
 * `KEY=value` secrets in env-style and config files ("password
 * or secret assignments in env-style files"). Only for file types whose
 * lines are assignments; never for source code, where `password = input()`
 * or `TOKEN = os.environ[...]` are not secrets.
 */
import { redact } from "./redact.js";
import { literalsPattern, type SecretMatch } from "./secret-rules.js";
import { isLiteralSecret, isSecretKeyName, keyWords, unquote } from "./secret-keys.js";

/**
 * env: .env, KEY=value (shell-style `export` allowed).
 * ini: .ini/.cfg/.cnf/.conf/.properties/.toml, `key = value` or `key: value`.
 * yaml: `key: value`, stricter values (labels are common there).
 */
export type AssignmentStyle = "env" | "ini" | "yaml";

const LINE: Record<AssignmentStyle, RegExp> = {
  env: /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/,
  ini: /^([A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]\s*(.*)$/,
  yaml: /^(?:-\s+)?["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*:\s+(.*)$/,
};

const COMMENT: Record<AssignmentStyle, RegExp> = {
  env: /\s+#.*$/,
  ini: /\s+[#;].*$/,
  yaml: /\s+#.*$/,
};

/** A file without any of these (in any case) has no secret-named key. */
const KEY_KEYWORDS = literalsPattern(["pass", "pwd", "secret", "token", "key", "credential"], "i");

function cleanValue(raw: string, style: AssignmentStyle): string {
  const t = raw.trim();
  if (t.startsWith("#") || (style === "ini" && t.startsWith(";"))) return ""; // `secret = # disabled`
  const q = t[0];
  if (q === '"' || q === "'") {
    const close = t.indexOf(q, 1);
    return close > 0 ? t.slice(1, close) : t.slice(1);
  }
  return unquote(t.replace(COMMENT[style], ""));
}

export function findAssignments(text: string, style: AssignmentStyle): SecretMatch[] {
  if (!KEY_KEYWORDS.test(text)) return [];
  const out: SecretMatch[] = [];
  const re = LINE[style];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).trim();
    const lineStart = start;
    start = end + 1;
    if (line === "" || /^(?:#|;|!|\/\/)/.test(line)) continue;
    const m = re.exec(line);
    if (!m) continue;
    const key = m[1] ?? "";
    if (!isSecretKeyName(key)) continue;
    const raw = m[2] ?? "";
    if (style === "yaml" && /^[|>&*!]/.test(raw.trim())) continue; // block scalars, anchors, tags
    const value = cleanValue(raw, style);
    const last = keyWords(key).pop();
    if (!isLiteralSecret(value, { strict: style === "yaml", noSpaces: style !== "env", allowFingerprints: last === "key" || last === "keys" })) {
      continue;
    }
    out.push({
      ruleId: "secret-password-assignment",
      rule: "secret-assignment",
      index: lineStart,
      redacted: redact(value),
      key,
    });
  }
  return out;
}
