/**
 * Account database checks on the FINAL image.
 *
 * - An empty /etc/shadow password field lets anyone log in or `su` without a
 *   password (Alpine's CVE-2019-5021 shipped `root:::0:::::`). Any non-empty
 *   field is not a usable empty password: "!", "*", "!!", "!*" and "!<hash>"
 *   are locked, anything else is a hash.
 * - An empty /etc/passwd password field is the password itself: pam_unix and
 *   busybox consult /etc/shadow only when the field is "x" (pam_unix
 *   is_pwd_shadowed), so shadow cannot rescue it. Reported on its own,
 *   even when the same account's shadow field is empty too: each file
 *   needs its own fix.
 * - More than one uid-0 account: each extra one is another name for root.
 * - /etc/shadow readable by "other" exposes every hash to any user.
 *
 * Versions shadowed by a later layer are not checked: they cannot be used
 * at run time (shipped hashes are the secrets analyzer's business).
 */
import type { Finding } from "../finding.js";
import type { Analyzer, AnalyzerContext, RuleInfo } from "./analyzer.js";
import { modeEvidence } from "./mode-text.js";
import { hasBasename } from "../paths.js";
import {
  accountFileWants,
  PASSWD_PATH,
  isAccountFile,
  parsePasswdBytes,
  parseShadow,
  readAccountFile,
  SHADOW_PATH,
  type PasswdEntry,
} from "./passwd.js";
import { REF } from "../rules/references.js";

export const ACCOUNT_RULES: readonly RuleInfo[] = [
  {
    id: "shadow-empty-password",
    category: "account",
    severity: "critical",
    references: [REF.cve20195021, REF.dockleEmptyPassword, REF.manShadow],
    title: "Account with an empty password in /etc/shadow",
    help:
      "An empty hash field means no password: any process in the container can `su` to the account, and a " +
      "login service would accept it (Alpine CVE-2019-5021 shipped root this way).",
    fix: "Lock the account (`passwd -l NAME`, or set the field to `!`) in the Dockerfile.",
  },
  {
    id: "passwd-empty-password",
    category: "account",
    severity: "critical",
    references: [REF.cve20195021, REF.dockleEmptyPassword, REF.manPasswd],
    title: "Account with an empty password in /etc/passwd",
    help:
      "An empty password field in /etc/passwd is the password itself; /etc/shadow is only consulted when " +
      "the field is `x`. Anyone can switch to the account without a password.",
    fix: "Set the field to `x` and lock the account in /etc/shadow (`passwd -l NAME`).",
  },
  {
    id: "duplicate-uid0",
    category: "account",
    severity: "high",
    references: [REF.dockleUniqueUid, REF.manPasswd],
    title: "More than one account with uid 0",
    help: "Every account with uid 0 is root under another name, a classic backdoor and easy to overlook.",
    fix: "Remove the extra account or give it its own non-zero uid.",
  },
  {
    id: "shadow-world-readable",
    category: "account",
    severity: "high",
    references: [REF.manShadow, REF.cwePermissions],
    title: "/etc/shadow is readable by other users",
    help: "Any user in the container can read every password hash and crack it offline.",
    fix: "`chmod 0640 /etc/shadow` (owner root, group shadow) or `chmod 0600`.",
  },
];

/** The account that keeps the uid-0 role: "root" if it has uid 0, else the first. */
function primaryRoot(uid0: readonly PasswdEntry[]): PasswdEntry | undefined {
  return uid0.find((p) => p.name === "root") ?? uid0[0];
}

function shadowFindings(ctx: AnalyzerContext, passwd: readonly PasswdEntry[] | undefined): Finding[] {
  const file = readAccountFile(ctx, SHADOW_PATH);
  if (!isAccountFile(file)) return [];
  const { entry } = file;
  const at = { category: "account", path: entry.path, layer: entry.layer, inFinalImage: true } as const;
  const out: Finding[] = [];
  if (entry.mode & 0o004) {
    const ev = modeEvidence(entry);
    out.push({
      ...at,
      ruleId: "shadow-world-readable",
      severity: "high",
      message: `${entry.path} is readable by every user (${ev.mode})`,
      evidence: { ...ev },
    });
  }
  for (const s of file.text === undefined ? [] : parseShadow(file.text)) {
    if (s.password !== "") continue;
    const pw = passwd?.find((p) => p.name === s.name);
    out.push({
      ...at,
      ruleId: "shadow-empty-password",
      severity: "critical",
      message: `account ${JSON.stringify(s.name)} has an empty password in ${entry.path}`,
      evidence: { account: s.name, line: s.line, uid: pw?.uid ?? null, shell: pw?.shell ?? null },
    });
  }
  return out;
}

function passwdFindings(ctx: AnalyzerContext): { findings: Finding[]; passwd: PasswdEntry[] | undefined } {
  const file = readAccountFile(ctx, PASSWD_PATH);
  if (!isAccountFile(file) || file.bytes === undefined) return { findings: [], passwd: undefined };
  const { entry } = file;
  // The runtime's parse (passwd.ts), minus "#" lines: login (glibc nss_files) skips them as comments.
  const passwd = parsePasswdBytes(file.bytes, file.complete).entries.filter((p) => !p.key.startsWith("#"));
  const at = { category: "account", path: entry.path, layer: entry.layer, inFinalImage: true } as const;
  const out: Finding[] = [];
  for (const p of passwd) {
    if (p.password !== "") continue;
    out.push({
      ...at,
      ruleId: "passwd-empty-password",
      severity: "critical",
      message: `account ${JSON.stringify(p.name)} has an empty password field in ${entry.path}`,
      evidence: { account: p.name, line: p.line, uid: p.uid, shell: p.shell },
    });
  }
  // Only a real "0" counts: glibc skips a line whose uid is not a number.
  const uid0 = passwd.filter((p) => p.uidNumeric && p.uid === 0);
  const primary = primaryRoot(uid0);
  for (const p of uid0) {
    if (p === primary) continue;
    out.push({
      ...at,
      ruleId: "duplicate-uid0",
      severity: "high",
      message: `account ${JSON.stringify(p.name)} has uid 0 like ${JSON.stringify(primary?.name)}: a second root`,
      evidence: { account: p.name, line: p.line, uid: 0, primary: primary?.name ?? null },
    });
  }
  return { findings: out, passwd };
}

export const accountsAnalyzer: Analyzer = {
  id: "accounts",
  rules: ACCOUNT_RULES,
  // By basename: at walk time `e/shadow` may still land on /etc/shadow (e -> etc).
  wantsContent: (e) => (hasBasename(e.path, "passwd") || hasBasename(e.path, "shadow") ? accountFileWants(PASSWD_PATH) : 0),
  finish(ctx) {
    const { findings, passwd } = passwdFindings(ctx);
    return [...shadowFindings(ctx, passwd), ...findings];
  },
};
