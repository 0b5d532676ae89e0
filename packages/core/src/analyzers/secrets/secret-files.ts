/**
 * Secrets in files: private keys, vendor tokens, URL and assignment
 * credentials, credential files and keystores, in the final image and in
 * shadowed versions that a later layer deleted or overwrote but that still
 * ship in a lower blob.
 *
 * Precision first (peers break CI on false positives): the path prefilter
 * (secret-paths.ts) skips package trees, `.pem`/`.key`/`.crt` count only with
 * a private key block inside, credential files only when a non-empty
 * credential is in them. Evidence holds a redacted prefix, never a secret.
 *
 * Streaming (analyzer.ts): each file version wantsContent picks is scanned
 * in onContent while its layer streams; the per-scan state keeps only the
 * grouped matches (rule, line, redacted prefix, count) keyed by the
 * walk-time entry object, never the bytes. finish() turns them into findings
 * against the final FileIndex, finding each entry's matches through
 * ctx.origin: a file written through a symlinked parent (whose final path is
 * not the one it streamed under), every name of a hardlinked inode (whose
 * content is the data-carrying entry's, matched with the rules of the path
 * its bytes were read under), and shadowed versions.
 */
import type { FileEntry, ShadowedEntry } from "../../types.js";
import type { Finding, Severity } from "../../finding.js";
import { severityRank } from "../../finding.js";
import { defaultLimits } from "../../limits.js";
import { basename } from "../../paths.js";
import type { Analyzer, AnalyzerContext } from "../analyzer.js";
import { confirmCredentialFile } from "./credential-files.js";
import { findAssignments } from "./assignments.js";
import { readability, type Readability } from "./readability.js";
import { findSecrets, type SecretMatch, type SecretRuleId } from "./secret-rules.js";
import { isEnvFileName, planFor, type FilePlan } from "./secret-paths.js";
import { SECRET_FILE_RULES } from "./secret-rule-info.js";

/** A NUL in the first 8 KiB marks a binary file (git's heuristic too). */
const BINARY_SNIFF_BYTES = 8 * 1024;

export interface SecretFilesOptions {
  /** Files larger than this are not read (by-name rules still apply). Default defaultLimits.maxSecretFileBytes (1 MiB). */
  maxFileBytes?: number;
}

function isBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, BINARY_SNIFF_BYTES).indexOf(0) >= 0;
}

/** Bytes as latin1: one char per byte, so offsets match and no decoding can fail. */
function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** 1-based line of each offset, from one pass over the newlines. */
function lineOf(text: string): (index: number) => number {
  let starts: number[] | undefined;
  return (index) => {
    if (starts === undefined) {
      starts = [0];
      for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

const LABEL: Record<SecretRuleId, string> = {
  "secret-private-key": "private key",
  "secret-aws-access-key": "AWS access key",
  "secret-github-token": "GitHub token",
  "secret-gitlab-token": "GitLab token",
  "secret-slack-token": "Slack token",
  "secret-stripe-key": "Stripe live key",
  "secret-google-api-key": "Google API key",
  "secret-npm-token": "npm token",
  "secret-url-credentials": "credentials in a URL",
  "secret-password-assignment": "password or secret assignment",
  "secret-credential-file": "credential file",
  "secret-keystore": "keystore",
};

function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}

/** A private key readable by the world, or by a non-root group, is critical. */
function severityFor(ruleId: SecretRuleId, r: Readability, gid: number): Severity {
  if (ruleId === "secret-private-key") {
    return r.readableBy === "world" || (r.readableBy === "group" && gid !== 0) ? "critical" : "high";
  }
  return r.readableBy === "world" ? "high" : "medium";
}

/** One finding's worth of matches in one file version: evidence minus readability. */
interface Matched {
  ruleId: SecretRuleId;
  evidence: Readonly<Record<string, unknown>>;
}

/** Per scan: what onContent found, by walk-time entry. An empty list: read, nothing found. */
export interface SecretFilesState {
  scanned: Map<FileEntry, readonly Matched[]>;
}

const NONE: readonly Matched[] = [];

interface Subject {
  entry: FileEntry;
  shadow?: ShadowedEntry | undefined;
}

export function createSecretFilesAnalyzer(options: SecretFilesOptions = {}): Analyzer<SecretFilesState> {
  const cap = options.maxFileBytes ?? defaultLimits.maxSecretFileBytes;

  const wantsContent = (e: FileEntry): number => {
    if (e.size === 0 || e.size > cap) return 0;
    return planFor(e.path).read ? cap : 0;
  };

  function finding(
    ctx: AnalyzerContext,
    s: Subject,
    ruleId: SecretRuleId,
    evidence: Record<string, unknown>,
    severity?: Severity,
  ): Finding {
    const e = s.entry;
    const r = readability(ctx.files, e);
    let sev = severity ?? severityFor(ruleId, r, e.gid);
    let where = r.readableBy === "world" ? "world-readable" : `readable by ${r.readableBy}`;
    const ev: Record<string, unknown> = { ...evidence, mode: r.mode, owner: r.owner, readableBy: r.readableBy };
    if (s.shadow !== undefined) {
      sev = maxSeverity("high", sev);
      ev["hiddenBy"] = s.shadow.hiddenBy;
      ev["hiddenHow"] = s.shadow.hiddenHow;
      const how = s.shadow.hiddenHow === "overwrite" ? "overwritten" : "deleted";
      where += `; ${how} in layer ${s.shadow.hiddenBy} but still shipped in layer ${e.layer}'s blob`;
    }
    return {
      ruleId,
      category: "secret",
      severity: sev,
      message: `${LABEL[ruleId]} in ${e.path} (${where})`,
      path: e.path,
      layer: e.layer,
      inFinalImage: s.shadow === undefined,
      evidence: ev,
    };
  }

  /** Rules a file's name alone triggers when its content is not available. */
  function byName(plan: FilePlan, base: string): SecretRuleId | undefined {
    if (plan.sshKeyName) return "secret-private-key";
    if (plan.credentialKind !== undefined || isEnvFileName(base)) return "secret-credential-file";
    return undefined;
  }

  function matchesIn(text: string, plan: FilePlan): SecretMatch[] {
    let found = findSecrets(text);
    if (plan.assignments !== undefined) found = found.concat(findAssignments(text, plan.assignments));
    if (plan.credentialKind !== undefined) {
      // The credential-file finding already covers the URLs of .git-credentials.
      if (plan.credentialKind === "git-credentials") found = found.filter((m) => m.ruleId !== "secret-url-credentials");
      const c = confirmCredentialFile(plan.credentialKind, text);
      // A token rule on the same line already names the secret more precisely (npm_, AKIA…, a PEM key).
      const lineStart = c === undefined ? 0 : text.lastIndexOf("\n", c.index) + 1;
      const lineEnd = c === undefined ? 0 : (text.indexOf("\n", c.index) + 1 || text.length + 1);
      if (c !== undefined && !found.some((m) => m.index >= lineStart && m.index < lineEnd)) found.push(c);
    }
    return found;
  }

  /**
   * Streams: the grouped matches of one file version's leading bytes. Only
   * called for files wantsContent asked bytes for, so their plan reads.
   */
  function matchContent(path: string, bytes: Uint8Array): readonly Matched[] {
    if (isBinary(bytes)) return NONE;
    const text = latin1(bytes);
    const found = matchesIn(text, planFor(path));
    if (found.length === 0) return NONE;
    const line = lineOf(text);
    const groups = new Map<SecretRuleId, SecretMatch[]>();
    for (const m of found) {
      const g = groups.get(m.ruleId);
      if (g === undefined) groups.set(m.ruleId, [m]);
      else g.push(m);
    }
    const out: Matched[] = [];
    for (const [ruleId, ms] of groups) {
      ms.sort((a, b) => a.index - b.index);
      const first = ms[0]!;
      const ev: Record<string, unknown> = { rule: first.rule, line: line(first.index), redacted: first.redacted };
      if (first.key !== undefined) ev["key"] = first.key;
      if (first.encrypted !== undefined) ev["encrypted"] = first.encrypted;
      ev["count"] = ms.length;
      const rules = [...new Set(ms.map((m) => m.rule))];
      if (rules.length > 1) ev["rules"] = rules;
      out.push({ ruleId, evidence: ev });
    }
    return out;
  }

  /** Findings for one final or shadowed file version; its bytes' matches are its origin's. */
  function scan(ctx: AnalyzerContext, state: SecretFilesState, s: Subject, out: Finding[]): void {
    const e = s.entry;
    if (e.size === 0) return;
    const plan = planFor(e.path);
    if (plan.keystore) {
      out.push(finding(ctx, s, "secret-keystore", { rule: "keystore", byName: true, size: e.size }));
      return;
    }
    if (!plan.read) return;
    // Only versions wantsContent asked for (plan.read, size within the cap) are in state.scanned.
    const matched = e.size <= cap ? state.scanned.get(ctx.origin(e)) : undefined;
    if (matched === undefined) {
      const rule = byName(plan, basename(e.path));
      if (rule !== undefined) {
        out.push(finding(ctx, s, rule, { rule: "by-name", byName: true, size: e.size }, "medium"));
      }
      return;
    }
    for (const m of matched) out.push(finding(ctx, s, m.ruleId, m.evidence));
  }

  return {
    id: "secret-files",
    rules: SECRET_FILE_RULES,
    wantsContent,
    createState: () => ({ scanned: new Map() }),
    onContent(e, bytes, state) {
      state.scanned.set(e, matchContent(e.path, bytes));
    },
    onContentCopy(copy, original, state) {
      const m = state.scanned.get(original);
      if (m !== undefined) state.scanned.set(copy, m);
    },
    finish(ctx, state) {
      const out: Finding[] = [];
      for (const e of ctx.files) {
        if (e.type === "file") scan(ctx, state, { entry: e }, out);
        else if (e.type === "hardlink") {
          // Report a hardlink only when its bytes are not visible under the data's own name.
          const t = ctx.files.hardlinkTarget(e);
          if (t !== undefined && ctx.files.get(t.path) !== t) scan(ctx, state, { entry: e }, out);
        }
      }
      for (const s of ctx.shadowed) {
        if (s.type === "file") scan(ctx, state, { entry: s, shadow: s }, out);
      }
      return out;
    },
  };
}

/** The default instance (1 MiB cap). */
export const secretFilesAnalyzer: Analyzer<SecretFilesState> = createSecretFilesAnalyzer();
