/**
 * Who the container process runs as (issue 3, analyzer 5; SPECS.md §8).
 *
 * Mirrors moby's GetExecUser (vendor/github.com/moby/sys/user/user.go):
 * split config.User at ":", ignore the group; an empty user is uid 0; a
 * numeric user is always that uid, in passwd or not; a name is looked up in
 * the FINAL merged /etc/passwd, first match wins, and a name that is not
 * there makes the container fail to start. Dockle only catches "" and
 * "root"; a "toor" with uid 0 is root too.
 *
 * One deliberate difference: the name "root" counts as root even when
 * /etc/passwd is missing or lacks it (the runtime would refuse to start; we
 * prefer the safe answer for a security finding).
 */
import type { Finding } from "../finding.js";
import type { Analyzer, AnalyzerContext, RuleInfo } from "./analyzer.js";
import { accountFileWants, parseGoInt, PASSWD_PATH, parsePasswd, readAccountFile, type PasswdEntry } from "./passwd.js";
import { hasBasename } from "../paths.js";

/** containerd's WithUser range: 0..MaxInt32 (SPECS.md §8). */
const MAX_UID = 2 ** 31 - 1;

export interface EffectiveUser {
  /** Undefined when it cannot be resolved (the container would not start). */
  uid: number | undefined;
  /** The account name, when config names one or passwd has the uid. */
  name?: string;
  isRoot: boolean;
  /** Why, in words: goes into the finding's message and evidence. */
  reason: string;
}

/**
 * Resolves config.User against a parsed /etc/passwd (undefined: the image
 * has none). Pure; see the module comment for the rules.
 */
export function effectiveUser(user: string, passwd: PasswdEntry[] | undefined): EffectiveUser {
  const colon = user.indexOf(":");
  const userPart = colon >= 0 ? user.slice(0, colon) : user;
  const shown = JSON.stringify(user);
  if (userPart === "") {
    const reason = user === "" ? "config User is empty" : `config User ${shown} has no user part`;
    return { uid: 0, isRoot: true, reason: `${reason}, so the default uid 0 applies` };
  }
  const numeric = parseGoInt(userPart);
  if (numeric !== undefined) {
    if (numeric < 0 || numeric > MAX_UID) {
      return { uid: undefined, isRoot: false, reason: `uid ${userPart} is outside 0..${MAX_UID}` };
    }
    // A numeric user is always a uid; passwd only lends it a name.
    const entry = passwd?.find((p) => p.uid === numeric);
    const named = entry ? { name: entry.name } : {};
    return { uid: numeric, ...named, isRoot: numeric === 0, reason: `config User ${shown} is uid ${numeric}` };
  }
  const entry = passwd?.find((p) => p.name === userPart);
  if (entry !== undefined) {
    const reason = `config User ${shown} resolves to uid ${entry.uid} in ${PASSWD_PATH} (line ${entry.line})`;
    return { uid: entry.uid, name: userPart, isRoot: entry.uid === 0, reason };
  }
  if (userPart === "root") {
    return { uid: 0, name: "root", isRoot: true, reason: `config User ${shown} names root` };
  }
  const name = JSON.stringify(userPart);
  const reason =
    passwd === undefined ? `the image has no ${PASSWD_PATH} to resolve ${name}` : `${name} is not in ${PASSWD_PATH}`;
  return { uid: undefined, name: userPart, isRoot: false, reason };
}

export const USER_RULES: readonly RuleInfo[] = [
  {
    id: "root-user",
    category: "user",
    title: "Container runs as root",
    help:
      "The process runs as uid 0 unless the run command overrides it. Root in a container shares the host " +
      "kernel; with a kernel or runtime bug, or a mounted socket or host path, it becomes root on the host.",
    fix:
      "Add a non-root account and `USER <uid>` to the Dockerfile (numeric, so the runtime need not read " +
      "/etc/passwd).",
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
];

export const userAnalyzer: Analyzer = {
  id: "user",
  rules: USER_RULES,
  // By basename: at walk time `e/passwd` may still land on /etc/passwd (e -> etc).
  wantsContent: (e) => (hasBasename(e.path, "passwd") ? accountFileWants(PASSWD_PATH) : 0),
  finish(ctx: AnalyzerContext): Finding[] {
    const user = ctx.config.config.User ?? "";
    const file = readAccountFile(ctx, PASSWD_PATH);
    const passwd = file?.text === undefined ? undefined : parsePasswd(file.text);
    const eu = effectiveUser(user, passwd);
    const evidence: Record<string, unknown> = { user, uid: eu.uid ?? null, reason: eu.reason };
    if (eu.name !== undefined) evidence["name"] = eu.name;
    if (file !== undefined && passwd !== undefined) evidence["passwdLayer"] = file.entry.layer;
    const base = { category: "user", layer: null, inFinalImage: true, evidence } as const;
    if (eu.isRoot) {
      return [{ ...base, ruleId: "root-user", severity: "high", message: `runs as root: ${eu.reason}` }];
    }
    // A passwd that exists but was not captured (a symlink to an unusual
    // place) proves nothing about a name; an out-of-range uid needs no passwd.
    const unreadable = file !== undefined && passwd === undefined;
    if (eu.uid === undefined && !(unreadable && eu.name !== undefined)) {
      const message =
        `config User ${JSON.stringify(user)} cannot be resolved (${eu.reason}): ` +
        "the container would fail to start";
      return [{ ...base, ruleId: "user-unknown", severity: "medium", message }];
    }
    return [];
  },
};
