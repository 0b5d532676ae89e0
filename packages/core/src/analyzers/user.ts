/**
 * Who the container process runs as: config.User resolved against the FINAL
 * /etc/passwd by every runtime resolver (user-resolvers.ts), reached the
 * way the runtime opens it: through symlinks inside the root and through
 * hardlinks (passwd.ts).
 *
 * - root-user: some resolver gives uid 0. The message and evidence name it.
 * - user-undetermined: no resolver gives uid 0, but one needs passwd content
 *   the scan could not see (over Limits.maxSecondLookBytes, a FIFO or
 *   device in its place), or a runtime's read of /etc/passwd or /etc/group
 *   fails (a directory, a line over 64 KiB, a symlink loop): runc reads
 *   both for every User, numeric or not, so the container does not start
 *   there, and what another runtime would do is not known. Fails closed:
 *   the gate's require-non-root fails on it.
 * - user-unknown: no resolver gives uid 0 or is undetermined, and some
 *   refuse to start the container (a name not in passwd, an out-of-range uid).
 *
 * The walk captures files named passwd (1 MiB each). When the final
 * /etc/passwd was not captured whole (reached through a symlink or hardlink
 * from another name, or larger), needsContent asks scan() for a second look
 * (second-look.ts), which reads its layer again and captures it whole.
 */
import type { FileEntry } from "../types.js";
import type { Finding } from "../finding.js";
import type { Analyzer, AnalyzerContext, RuleInfo } from "./analyzer.js";
import { GROUP_PATH, isAccountFile, PASSWD_PATH, parsePasswdBytes, passwdWants, readAccountFile } from "./passwd.js";
import {
  GROUP_READABLE,
  RESOLVER_LABEL,
  RESOLVERS,
  resolveUser,
  type GroupSource,
  type PasswdSource,
  type Resolution,
  type ResolverId,
} from "./user-resolvers.js";
import { REF } from "../rules/references.js";

export interface EffectiveUser {
  /** The uid when every resolver that starts the container agrees; undefined otherwise. */
  uid: number | undefined;
  /** The account name, when a resolver matched a passwd entry. */
  name?: string;
  isRoot: boolean;
  /** Some resolver needed passwd content the scan could not see (and none gives root). */
  undetermined: boolean;
  /** Why, in words: goes into the finding's message and evidence. */
  reason: string;
  /** Each resolver's answer. */
  resolvers: Record<ResolverId, Resolution>;
}

/** Resolves config.User with every resolver; see the module comment for the verdict. */
export function effectiveUser(user: string, passwd: PasswdSource, group: GroupSource = GROUP_READABLE): EffectiveUser {
  const resolvers = Object.fromEntries(RESOLVERS.map((r) => [r, resolveUser(r, user, passwd, group)])) as Record<ResolverId, Resolution>;
  const all = RESOLVERS.map((id) => ({ id, r: resolvers[id] }));
  const root = all.filter(({ r }) => r.outcome === "uid" && r.uid === 0);
  const unknown = all.filter(({ r }) => r.outcome === "unknown");
  const uids = new Set(all.flatMap(({ r }) => (r.outcome === "uid" ? [r.uid] : [])));
  const entry = all.map(({ r }) => (r.outcome === "uid" ? r.entry : undefined)).find((e) => e !== undefined);
  const named = entry !== undefined ? { name: entry.name } : {};
  const explain = (list: typeof all) => list.map(({ id, r }) => `${RESOLVER_LABEL[id]}: ${r.via}`).join("; ");
  const uid = uids.size === 1 ? [...uids][0] : undefined;
  if (root.length > 0) return { uid: 0, ...named, isRoot: true, undetermined: false, reason: explain(root), resolvers };
  if (unknown.length > 0) return { uid: undefined, isRoot: false, undetermined: true, reason: explain(unknown), resolvers };
  const fails = all.filter(({ r }) => r.outcome === "fails");
  const reason = fails.length > 0 ? explain(fails) : explain(all.slice(0, 1));
  return { uid: fails.length > 0 ? undefined : uid, ...named, isRoot: false, undetermined: false, reason, resolvers };
}

/** How the scan sees the final /etc/passwd, and the entry it came from. */
export function passwdSource(ctx: AnalyzerContext): { source: PasswdSource; entry?: FileEntry | undefined } {
  const f = readAccountFile(ctx, PASSWD_PATH);
  if (f === undefined) return { source: { kind: "missing" } };
  if (!isAccountFile(f)) {
    if (f.kind === "unresolved") return { source: { kind: "loop", why: "is a symlink that does not resolve (a loop)" } };
    const what = `resolves to ${f.entry.path}, a ${f.entry.type}, not a regular file`;
    // A directory opens and then fails to read (EISDIR); a FIFO blocks the open, a device reads whatever it gives.
    if (f.entry.type === "dir") return { source: { kind: "read-error", why: what }, entry: f.entry };
    return { source: { kind: "unseen", why: what }, entry: f.entry };
  }
  const where = f.entry.path === PASSWD_PATH ? "" : ` (${f.entry.path})`;
  if (f.bytes === undefined) {
    return { source: { kind: "unseen", why: `${where ? `resolves to${where} and ` : ""}was not captured by the scan` }, entry: f.entry };
  }
  const file = parsePasswdBytes(f.bytes, f.complete);
  if (file.stop?.why === "line-too-long") {
    const why = `has a line over 64 KiB (line ${file.stop.line}), which bufio.Scanner rejects${where}`;
    return { source: { kind: "read-error", why }, entry: f.entry };
  }
  const why = file.stop?.why === "truncated" ? `was captured only in part (${f.bytes.length} of ${f.entry.size} bytes)${where}` : undefined;
  return { source: { kind: "parsed", file, why }, entry: f.entry };
}

/** Whether the runtimes can read the final /etc/group (its content never changes the uid). */
export function groupSource(ctx: AnalyzerContext): GroupSource {
  const f = readAccountFile(ctx, GROUP_PATH);
  if (f === undefined || isAccountFile(f)) return GROUP_READABLE;
  if (f.kind === "unresolved") return { kind: "broken", why: "is a symlink that does not resolve (a loop)" };
  return { kind: "broken", why: `resolves to ${f.entry.path}, a ${f.entry.type}, not a regular file` };
}

export const USER_RULES: readonly RuleInfo[] = [
  {
    id: "root-user",
    category: "user",
    severity: "high",
    references: [REF.cisUser, REF.dockleUser, REF.dockerUser, REF.cweLeastPrivilege],
    title: "Container runs as root",
    help:
      "The process runs as uid 0 unless the run command overrides it. Root in a container shares the host " +
      "kernel; with a kernel or runtime bug, or a mounted socket or host path, it becomes root on the host. " +
      "Reported when any of docker's or containerd's ways of resolving the user gives uid 0.",
    fix:
      "Add a non-root account and `USER <uid>` to the Dockerfile (numeric, within 1..2147483647, so no " +
      "/etc/passwd entry can change it).",
  },
  {
    id: "user-unknown",
    category: "user",
    severity: "medium",
    references: [REF.dockerUser, REF.ociConfigUser, REF.manPasswd],
    title: "Config user cannot be resolved",
    help:
      "config.User names an account that the image's final /etc/passwd does not have (or the uid is out of " +
      "range), so the runtime refuses to start the container.",
    fix: "Create the account in the image, or use a numeric `USER uid[:gid]`.",
  },
  {
    id: "user-undetermined",
    category: "user",
    severity: "high",
    references: [REF.ociConfigUser, REF.manPasswd, REF.cweFailOpen],
    title: "Config user could not be resolved by the scan",
    help:
      "The runtimes read the image's /etc/passwd and /etc/group for every config.User, numeric or not. Either " +
      "the scan could not see all of /etc/passwd (larger than the scan reads, or a FIFO or device), or the " +
      "runtimes cannot read one of them (a directory, a line over 64 KiB, a symlink loop), so runc refuses to " +
      "start the container and another runtime may read it differently. The user may be root, so a non-root " +
      "requirement fails.",
    fix:
      "Keep /etc/passwd and /etc/group small regular files with short lines, and use a numeric " +
      "`USER uid[:gid]` (within 1..2147483647).",
  },
];

export const userAnalyzer: Analyzer = {
  id: "user",
  rules: USER_RULES,
  wantsContent: passwdWants,
  // The final /etc/passwd, when the walk did not capture it whole: runc
  // reads all of it for every User, so every verdict depends on all of it.
  needsContent(ctx: AnalyzerContext): FileEntry[] {
    const f = readAccountFile(ctx, PASSWD_PATH);
    return isAccountFile(f) && !f.complete ? [f.entry] : [];
  },
  finish(ctx: AnalyzerContext): Finding[] {
    const user = ctx.config.config.User ?? "";
    const { source, entry } = passwdSource(ctx);
    const eu = effectiveUser(user, source, groupSource(ctx));
    const resolvers = Object.fromEntries(
      RESOLVERS.map((id) => {
        const r = eu.resolvers[id];
        return [id, r.outcome === "uid" ? { uid: r.uid, via: r.via } : { outcome: r.outcome, via: r.via }];
      }),
    );
    const evidence: Record<string, unknown> = { user, uid: eu.uid ?? null, reason: eu.reason, resolvers };
    if (eu.name !== undefined) evidence["name"] = eu.name;
    if (entry !== undefined) {
      evidence["passwdLayer"] = entry.layer;
      if (entry.path !== PASSWD_PATH) evidence["passwdPath"] = entry.path;
    }
    const base = { category: "user", layer: null, inFinalImage: true, evidence } as const;
    if (eu.isRoot) {
      return [{ ...base, ruleId: "root-user", severity: "high", message: `runs as root: ${eu.reason}` }];
    }
    if (eu.undetermined) {
      const message = `config User ${JSON.stringify(user)} could not be proven non-root: ${eu.reason}`;
      return [{ ...base, ruleId: "user-undetermined", severity: "high", message }];
    }
    if (eu.uid === undefined) {
      const message =
        `config User ${JSON.stringify(user)} cannot be resolved (${eu.reason}): ` +
        "the container would fail to start";
      return [{ ...base, ruleId: "user-unknown", severity: "medium", message }];
    }
    return [];
  },
};
