/**
 * Secrets in the image config: config.Env and the build
 * history's created_by strings. Both are readable by anyone who can pull the
 * image (`docker inspect`, `docker history`), whatever the files say.
 *
 * created_by forms handled (moby builder, BuildKit dockerfile frontend):
 *   /bin/sh -c #(nop)  ENV X=1            ENV X=1            ARG X=1
 *   |2 A=1 B=2 /bin/sh -c make            RUN |1 TOKEN=… /bin/sh -c …
 *   … export X=… && …                     X=… cmd            curl https://u:p@h
 */
import type { Finding } from "../../finding.js";
import { historyLayerIndexes } from "../../history.js";
import type { ImageConfig } from "../../types.js";
import type { Analyzer } from "../analyzer.js";
import { redact } from "./redact.js";
import { findSecrets, type SecretMatch } from "./secret-rules.js";
import { isLiteralSecret, isSecretKeyName, keyWords, unquote } from "./secret-keys.js";
import { SECRET_CONFIG_RULES } from "./secret-rule-info.js";

interface Pair {
  key: string;
  value: string;
  /** Span of `KEY=value` in the text. */
  start: number;
  end: number;
}

/** KEY=value words (quoted values allowed) anywhere in a shell-ish command line. */
const PAIR = /(?<=^|[\s;&|(`])(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|[^\s;&|)`]*)/g;
/** Classic builder's space form: `ENV KEY value with spaces` (no "=" in the first word). */
const ENV_SPACE = /(?:^|#\(nop\)\s+)(ENV|ARG)\s+([A-Za-z_][A-Za-z0-9_]*)\s+([^=\s][^\n]*)$/;

function findPairs(text: string): Pair[] {
  const out: Pair[] = [];
  PAIR.lastIndex = 0;
  for (const m of text.matchAll(PAIR)) {
    out.push({ key: m[1] ?? "", value: unquote(m[2] ?? ""), start: m.index, end: m.index + m[0].length });
  }
  const s = ENV_SPACE.exec(text);
  if (s) {
    const start = s.index + s[0].indexOf(s[2] ?? "");
    out.push({ key: s[2] ?? "", value: unquote(s[3] ?? ""), start, end: text.length });
  }
  return out;
}

/** A secret-named key with a literal value (GPG_KEY fingerprints, *_FILE paths and $VARs excluded). */
export function isSecretPair(key: string, value: string): boolean {
  if (!isSecretKeyName(key)) return false;
  const last = keyWords(key).pop();
  return isLiteralSecret(value, { allowFingerprints: last === "key" || last === "keys" });
}

/**
 * Command-line flags whose value is a credential: `--password=x`,
 * `--access-token x`. redact-text.ts masks these too (and more), so what the
 * detector reports is never printed raw elsewhere.
 */
export const SECRET_FLAG_NAMES: readonly string[] = [
  "password",
  "passwd",
  "token",
  "api-key",
  "apikey",
  "secret",
  "client-secret",
  "auth-token",
  "access-token",
];
/**
 * Regex source for the HTTP headers whose value is a credential:
 * `Authorization: Bearer x`, `PRIVATE-TOKEN: x`, `X-API-Key: x` (flags "i").
 * Shared with redact-text.ts.
 */
export const AUTH_HEADER_PREFIX = String.raw`(?:Authorization:\s*(?:Bearer|Basic|token)|PRIVATE-TOKEN:|X-API-Key:)`;

/** `--password=x`, `--token x`, `curl -u user:pass`, `Authorization: Bearer x`. */
const CLI_FLAG = new RegExp(String.raw`(?<=^|\s)--(${SECRET_FLAG_NAMES.join("|")})(?:=|\s+)("[^"]*"|'[^']*'|[^\s;&|]+)`, "gi");
const CURL_USER = /(?<=^|\s)(?:-u|--user)\s*("?)([^\s:"'$]+):([^\s"']+)\1(?=\s|$)/g;
const AUTH_HEADER = new RegExp(String.raw`(${AUTH_HEADER_PREFIX})\s*([A-Za-z0-9._~+/=-]{8,})`, "gi");

function findCommandSecrets(text: string): SecretMatch[] {
  const out: SecretMatch[] = [];
  for (const m of text.matchAll(CLI_FLAG)) {
    const v = unquote(m[2] ?? "");
    if (isLiteralSecret(v)) out.push({ ruleId: "secret-password-assignment", rule: "cli-flag", key: `--${m[1]}`, index: m.index, redacted: redact(v) });
  }
  for (const m of text.matchAll(CURL_USER)) {
    const pw = m[3] ?? "";
    if (isLiteralSecret(pw, { minLength: 4 })) out.push({ ruleId: "secret-url-credentials", rule: "cli-user-password", index: m.index, redacted: `${redact(m[2] ?? "")}:${redact(pw)}` });
  }
  for (const m of text.matchAll(AUTH_HEADER)) {
    const v = m[2] ?? "";
    if (isLiteralSecret(v, { minLength: 8 })) out.push({ ruleId: "secret-password-assignment", rule: "authorization-header", index: m.index, redacted: redact(v) });
  }
  return out;
}

interface TextSecret {
  rule: string;
  redacted: string;
  key?: string | undefined;
}

/**
 * Secrets in one command line or one ENV value: token formats and URL
 * credentials first (with the key they sit in, if any), then secret-named
 * pairs that held no token. The spans of pairs `skip` picks (pairs reported
 * elsewhere) are ignored.
 */
function findTextSecrets(text: string, skipPair?: (p: Pair) => boolean): TextSecret[] {
  const pairs = findPairs(text);
  const skip = skipPair === undefined ? [] : pairs.filter(skipPair);
  const within = (i: number, spans: readonly Pair[]): Pair | undefined => spans.find((p) => i >= p.start && i < p.end);
  const out: TextSecret[] = [];
  const claimed = new Set<Pair>();
  for (const m of [...findSecrets(text), ...findCommandSecrets(text)].sort((a, b) => a.index - b.index)) {
    if (within(m.index, skip)) continue;
    const p = within(m.index, pairs);
    if (p) claimed.add(p);
    out.push({ rule: m.rule, redacted: m.redacted, key: m.key ?? p?.key });
  }
  for (const p of pairs) {
    if (claimed.has(p) || within(p.start, skip) || !isSecretPair(p.key, p.value)) continue;
    out.push({ rule: "secret-assignment", redacted: redact(p.value), key: p.key });
  }
  return out;
}

function envFindings(env: readonly string[]): Finding[] {
  const out: Finding[] = [];
  for (const kv of env) {
    const eq = kv.indexOf("=");
    if (eq <= 0) continue;
    const key = kv.slice(0, eq);
    const value = kv.slice(eq + 1);
    const hit = findTextSecrets(value)[0] ?? (isSecretPair(key, value) ? { rule: "secret-assignment", redacted: redact(value) } : undefined);
    if (hit === undefined) continue;
    out.push({
      ruleId: "secret-env",
      category: "secret",
      severity: "high",
      message: `config Env ${key} holds a secret (${hit.rule})`,
      layer: null,
      inFinalImage: true,
      evidence: { key, rule: hit.rule, redacted: hit.redacted },
    });
  }
  return out;
}

const ENV_INSTRUCTION = /^(?:\/bin\/sh -c #\(nop\)\s+)?ENV\s/;

function historyFindings(config: ImageConfig, env: readonly string[]): Finding[] {
  const out: Finding[] = [];
  const finalEnv = new Set(env);
  const inFinalEnv = (p: Pair): boolean => finalEnv.has(`${p.key}=${p.value}`);
  const layers = historyLayerIndexes(config);
  config.history.forEach((h, historyIndex) => {
    const layerIndex = layers[historyIndex] ?? null;
    const text = h.created_by;
    if (text === undefined || text === "") return;
    // An ENV step whose pair is still in config.Env is reported once, as secret-env.
    const skip = ENV_INSTRUCTION.test(text) ? inFinalEnv : undefined;
    const seen = new Map<string, { s: TextSecret; count: number }>();
    for (const s of findTextSecrets(text, skip)) {
      const id = `${s.rule}\0${s.key ?? ""}`;
      const prev = seen.get(id);
      if (prev) prev.count++;
      else seen.set(id, { s, count: 1 });
    }
    for (const { s, count } of seen.values()) {
      const evidence: Record<string, unknown> = { historyIndex, rule: s.rule, redacted: s.redacted, count };
      if (s.key !== undefined) evidence["key"] = s.key;
      out.push({
        ruleId: "secret-in-history",
        category: "secret",
        severity: "high",
        message: `build history step ${historyIndex} holds a secret (${s.rule}${s.key ? ` in ${s.key}` : ""})`,
        layer: layerIndex,
        inFinalImage: true,
        evidence,
      });
    }
  });
  return out;
}

export const secretConfigAnalyzer: Analyzer = {
  id: "secret-config",
  rules: SECRET_CONFIG_RULES,
  finish(ctx) {
    const env = ctx.config.config.Env ?? [];
    return [...envFindings(env), ...historyFindings(ctx.config, env)];
  },
};
