/**
 * Who the container process runs as: config.User resolved against the FINAL
 * /etc/passwd by every runtime resolver (user-resolvers.ts), reached the
 * way the runtime opens it: through symlinks inside the root and through
 * hardlinks (passwd.ts).
 *
 * - root-user: some resolver gives uid 0. The message and evidence name it.
 * - user-undetermined: no resolver gives uid 0, but one needs passwd content
 *   the scan could not see (not captured, captured only in part, a line the
 *   runtime's scanner rejects, a directory or device in its place, a
 *   symlink loop). Fails closed: the gate's require-non-root fails on it.
 * - user-unknown: no resolver gives uid 0 or is unknown, and some refuse to
 *   start the container (a name not in passwd, an out-of-range uid).
 *
 * A passwd the runtime cannot parse (a line over 64 KiB) makes moby's and
 * containerd's lookups fail even for a numeric User; other runtimes may
 * still start the container, so a numeric or empty User keeps its uid.
 */
import type { FileEntry } from "../types.js";
import type { Finding } from "../finding.js";
import type { Analyzer, AnalyzerContext, RuleInfo } from "./analyzer.js";
import { isAccountFile, PASSWD_PATH, parsePasswdBytes, passwdWants, readAccountFile } from "./passwd.js";
import { RESOLVER_LABEL, RESOLVERS, resolveUser, type PasswdSource, type Resolution, type ResolverId } from "./user-resolvers.js";

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
export function effectiveUser(user: string, passwd: PasswdSource): EffectiveUser {
  const resolvers = Object.fromEntries(RESOLVERS.map((r) => [r, resolveUser(r, user, passwd)])) as Record<ResolverId, Resolution>;
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
    if (f.kind === "unresolved") return { source: { kind: "unreadable", why: "is a symlink that does not resolve (a loop)" } };
    return { source: { kind: "unreadable", why: `resolves to ${f.entry.path}, a ${f.entry.type}, not a regular file` }, entry: f.entry };
  }
  const where = f.entry.path === PASSWD_PATH ? "" : ` (${f.entry.path})`;
  if (f.bytes === undefined) {
    return { source: { kind: "unreadable", why: `${where ? `resolves to${where} and ` : ""}was not captured by the scan` }, entry: f.entry };
  }
  const file = parsePasswdBytes(f.bytes, f.complete);
  const why =
    file.stop?.why === "truncated"
      ? `was captured only in part (${f.bytes.length} of ${f.entry.size} bytes)${where}`
      : file.stop?.why === "line-too-long"
        ? `has a line over 64 KiB (line ${file.stop.line}), which makes the runtimes' parser fail${where}`
        : undefined;
  return { source: { kind: "parsed", file, why }, entry: f.entry };
}

export const USER_RULES: readonly RuleInfo[] = [
  {
    id: "root-user",
    category: "user",
    title: "Container runs as root",
    help:
      "The process runs as uid 0 unless the run command overrides it. Root in a container shares the host " +
      "kernel; with a kernel or runtime bug, or a mounted socket or host path, it becomes root on the host. " +
      "Reported when any of docker's or containerd's ways of resolving the user gives uid 0.",
    fix:
      "Add a non-root account and `USER <uid>` to the Dockerfile (numeric, within 1..2147483647, so the runtime " +
      "need not read /etc/passwd).",
  },
  {
    id: "user-unknown",
    category: "user",
    title: "Config user cannot be resolved",
    help:
      "config.User names an account that the image's final /etc/passwd does not have (or the uid is out of " +
      "range), so the runtime refuses to start the container.",
    fix: "Create the account in the image, or use a numeric `USER uid[:gid]`.",
  },
  {
    id: "user-undetermined",
    category: "user",
    title: "Config user could not be resolved by the scan",
    help:
      "Resolving config.User needs the image's /etc/passwd, and the scan could not read all of it (too large, " +
      "reached through a hardlink or symlink whose content was not captured, a line the runtime's parser " +
      "rejects, or not a regular file). The user may be root, so a non-root requirement fails.",
    fix:
      "Use a numeric `USER uid[:gid]` (within 1..2147483647), which needs no passwd lookup, and keep " +
      "/etc/passwd a small regular file.",
  },
];

export const userAnalyzer: Analyzer = {
  id: "user",
  rules: USER_RULES,
  wantsContent: passwdWants,
  finish(ctx: AnalyzerContext): Finding[] {
    const user = ctx.config.config.User ?? "";
    const { source, entry } = passwdSource(ctx);
    const eu = effectiveUser(user, source);
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
