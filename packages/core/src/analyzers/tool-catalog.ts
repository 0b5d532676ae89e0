/**
 * The executables the tool-presence analyzer knows, by report category, and
 * how a file name maps to one of them: the one catalogue every analyzer uses
 * (the base-class label reads the tools analyzer's findings).
 *
 * Matching is by exact basename, plus a version suffix for the families
 * that install versioned names (`python3.11`, `perl5.36.0`, `pip3.11`,
 * `ksh93`): the family name followed by digits and dots only, i.e.
 * /^<name>\d+(\.\d+)*$/. Two package-manager families match by prefix:
 * `apt-*` and `dpkg-*` (dpkg-deb, dpkg-query, apt-cache, apt-mark…), since
 * Debian hardening advice removes /usr/bin/apt-* and /usr/bin/dpkg* as a
 * whole and `dpkg-deb -x` installs software as well as dpkg does. Nothing
 * else is a prefix match, so `sh` never matches `sha256sum` and `pip` never
 * matches `pipe`.
 */
import type { Category, Finding, Severity } from "../finding.js";
import { basename } from "../paths.js";
import type { RuleInfo } from "./analyzer.js";
import { REF } from "../rules/references.js";

export type ToolCategory = Extract<
  Category,
  "shell" | "package-manager" | "interpreter" | "download-tool" | "network-tool"
>;

export const TOOL_CATEGORIES: readonly ToolCategory[] = [
  "shell",
  "package-manager",
  "interpreter",
  "download-tool",
  "network-tool",
];

export interface ToolSpec {
  name: string;
  category: ToolCategory;
  /** Also matches name + /\d+(\.\d+)*$/. */
  versioned?: boolean;
  /**
   * Only counted as a busybox applet (or a link to busybox): a standalone
   * `httpd` is usually the application itself, busybox's is a stray server.
   */
  busyboxOnly?: boolean;
  /** An OS package manager (not a language one): what the base-class label looks for. */
  os?: boolean;
}

function tools(category: ToolCategory, names: string, opts: Omit<ToolSpec, "name" | "category"> = {}): ToolSpec[] {
  return names.split(/\s+/).filter(Boolean).map((name) => ({ name, category, ...opts }));
}

export const TOOL_CATALOG: readonly ToolSpec[] = [
  ...tools("shell", "sh bash dash ash zsh ksh mksh csh tcsh fish rbash hush"),
  ...tools("package-manager", "apt apt-get aptitude dpkg rpm yum dnf microdnf tdnf zypper apk pacman", { os: true }),
  ...tools("package-manager", "pip pip3 pipx npm npx yarn pnpm gem bundle composer conda"),
  ...tools("interpreter", "python python2 python3 perl ruby irb node nodejs deno bun php lua luajit"),
  ...tools("interpreter", "tclsh wish Rscript pwsh"),
  ...tools("download-tool", "curl wget http aria2c ftp lftp tftp scp sftp rsync ftpget ftpput"),
  ...tools("network-tool", "ssh telnet rsh rlogin nc netcat ncat socat"),
  ...tools("network-tool", "httpd telnetd ftpd tftpd", { busyboxOnly: true }),
];

/** Families that install versioned names (python3.11, perl5.36.0, ksh93, zsh5, node18…). */
const VERSIONED = new Set(["python", "perl", "ruby", "irb", "node", "php", "lua", "tclsh", "wish", "pip", "gem", "zsh", "ksh"]);

const BY_NAME: ReadonlyMap<string, ToolSpec> = new Map(
  TOOL_CATALOG.map((t) => [t.name, VERSIONED.has(t.name) ? { ...t, versioned: true } : t]),
);

/** Name prefixes whose every member is an OS package-manager tool (module comment). */
const FAMILIES = ["apt-", "dpkg-"];
const familyTools = new Map<string, ToolSpec>();

/** `apt-cache`, `dpkg-deb`…: a family member, or undefined. */
function familyTool(name: string): ToolSpec | undefined {
  const prefix = FAMILIES.find((p) => name.length > p.length && name.startsWith(p));
  if (prefix === undefined || !/^[a-z0-9][a-z0-9.+-]*$/.test(name)) return undefined;
  let t = familyTools.get(name);
  if (t === undefined) {
    t = { name, category: "package-manager", os: true };
    if (familyTools.size < 1024) familyTools.set(name, t);
  }
  return t;
}

/**
 * Every path of a tool finding (its `evidence.paths`, else its path), each
 * with the tool name it runs as: a link runs as its own name; a busybox
 * binary's path (or another name of that binary) runs the finding's applet.
 * The finding's own path keeps its tool.
 */
export function toolPaths(f: Finding): { path: string; tool: string }[] {
  const ev = f.evidence ?? {};
  const listed = Array.isArray(ev["paths"]) ? (ev["paths"] as unknown[]).filter((p): p is string => typeof p === "string") : [];
  const paths = listed.length > 0 ? listed : f.path !== undefined ? [f.path] : [];
  const tool = String(ev["tool"] ?? "");
  const viaBusybox = ev["via"] === "busybox";
  return paths.map((path) => {
    const name = basename(path);
    if (path === f.path || (viaBusybox && name === "busybox")) return { path, tool };
    return { path, tool: matchTool(name, viaBusybox)?.tool.name ?? name };
  });
}

export interface ToolMatch {
  tool: ToolSpec;
  /** The version suffix of a versioned name ("3.11" for python3.11). */
  version?: string | undefined;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** /^\d+(\.\d+)*$/ without a regex: digits, single dots between them. */
function isVersion(s: string): boolean {
  if (s.length === 0 || !isDigit(s.charCodeAt(0)) || !isDigit(s.charCodeAt(s.length - 1))) return false;
  for (let k = 1; k < s.length; k++) {
    if (s.charCodeAt(k) === 46 && s.charCodeAt(k - 1) === 46) return false;
  }
  return true;
}

/**
 * The catalog tool a basename names, if any. `viaBusybox`: the name is a
 * busybox applet or links to busybox, so busybox-only names count too.
 */
export function matchTool(name: string, viaBusybox = false): ToolMatch | undefined {
  const allowed = (t: ToolSpec | undefined) => t !== undefined && (viaBusybox || t.busyboxOnly !== true);
  const exact = BY_NAME.get(name) ?? familyTool(name);
  if (allowed(exact)) return { tool: exact! };
  // Strip the longest run of trailing digits and dots; what is left must be a versioned family.
  let k = name.length;
  while (k > 0) {
    const c = name.charCodeAt(k - 1);
    if (!isDigit(c) && c !== 46) break;
    k--;
  }
  if (k === 0 || k === name.length) return undefined;
  const family = BY_NAME.get(name.slice(0, k));
  const version = name.slice(k);
  if (family?.versioned === true && allowed(family) && isVersion(version)) return { tool: family, version };
  return undefined;
}

export const TOOL_SEVERITY: Readonly<Record<ToolCategory, Severity>> = {
  shell: "medium",
  "package-manager": "medium",
  interpreter: "low",
  "download-tool": "medium",
  "network-tool": "medium",
};

export const TOOL_RULE_IDS: Readonly<Record<ToolCategory, string>> = {
  shell: "shell-present",
  "package-manager": "package-manager-present",
  interpreter: "interpreter-present",
  "download-tool": "download-tool-present",
  "network-tool": "network-tool-present",
};

/** "package-manager" → "package manager", for messages. */
export function categoryLabel(c: ToolCategory): string {
  return c.replace("-", " ");
}

const RUNTIME_FIX =
  "Use a distroless or scratch final stage (multi-stage build) that copies only the application, or " +
  "remove the package in the same layer that installed it.";

export const TOOL_RULES: readonly RuleInfo[] = [
  {
    id: "shell-present",
    category: "shell",
    severity: TOOL_SEVERITY["shell"],
    references: [REF.cisPackages, REF.docklePackages, REF.dockerMultiStage, REF.distroless],
    title: "A shell is present",
    help:
      "A shell turns any command-injection or remote-code-execution bug into an interactive foothold, " +
      "and makes post-exploitation easy. Includes busybox shell applets and links such as /bin/sh → dash.",
    fix: RUNTIME_FIX,
  },
  {
    id: "package-manager-present",
    category: "package-manager",
    severity: TOOL_SEVERITY["package-manager"],
    references: [REF.cisPackages, REF.docklePackages, REF.dockerMultiStage, REF.distroless],
    title: "A package manager is present",
    help:
      "A package manager lets an attacker (or a careless operator) install arbitrary software into a running " +
      "container, and its metadata bloats the image.",
    fix: RUNTIME_FIX,
  },
  {
    id: "interpreter-present",
    category: "interpreter",
    severity: TOOL_SEVERITY["interpreter"],
    references: [REF.cisPackages, REF.docklePackages, REF.dockerMultiStage, REF.distroless],
    title: "A script interpreter is present",
    help:
      "An interpreter (python, perl, node…) runs attacker-supplied code without writing a binary. Expected " +
      "when it is the application's runtime; otherwise it only widens the attack surface.",
    fix: "Keep only the runtime the application needs; " + RUNTIME_FIX.charAt(0).toLowerCase() + RUNTIME_FIX.slice(1),
  },
  {
    id: "download-tool-present",
    category: "download-tool",
    severity: TOOL_SEVERITY["download-tool"],
    references: [REF.cisPackages, REF.docklePackages, REF.dockerMultiStage, REF.distroless],
    title: "A download or file-transfer tool is present",
    help:
      "curl, wget, scp and similar tools let an intruder fetch a second-stage payload or exfiltrate data. " +
      "Includes busybox wget/ftpget/tftp applets.",
    fix: "Fetch files at build time in a builder stage; " + RUNTIME_FIX.charAt(0).toLowerCase() + RUNTIME_FIX.slice(1),
  },
  {
    id: "network-tool-present",
    category: "network-tool",
    severity: TOOL_SEVERITY["network-tool"],
    references: [REF.cisPackages, REF.docklePackages, REF.dockerMultiStage, REF.distroless],
    title: "A remote-access or raw network tool is present",
    help:
      "ssh, telnet, nc, socat and similar tools open reverse shells and tunnels. Includes busybox nc, " +
      "telnet and server applets (httpd, telnetd, ftpd, tftpd).",
    fix: RUNTIME_FIX,
  },
];
