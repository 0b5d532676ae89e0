/**
 * What kind of base the image is built on: a coarse, explainable label for
 * the report, never a finding. Rules, first match wins:
 *
 * 1. scratch: no os-release, no bin directory (/bin, /usr/bin, /sbin,
 *    /usr/sbin), no package database and no shell: only what was COPY'd in.
 * 2. alpine: os-release ID (or ID_LIKE) alpine, or /etc/alpine-release; with
 *    no os-release at all, apk (/sbin/apk or its database) is enough.
 * 3. distroless: no OS package manager, and either os-release says
 *    "Distroless" (the :debug variants add a busybox shell and still count),
 *    or there is no shell and the image has distroless package records
 *    (/var/lib/dpkg/status.d/), or an os-release and fewer than FEW_FILES
 *    regular files (Chainguard/Wolfi-style images). Without any OS metadata a
 *    small shell-less tree is "unknown", not distroless.
 * 4. full or slim, for any other image with os-release or a package database:
 *    full when it has man pages, documentation beyond the copyright files
 *    (Debian's and Ubuntu's slim images keep only those), or build tools
 *    (gcc, cc, make, git); otherwise slim. Perl is no signal: Debian's slim
 *    images ship /usr/bin/perl (perl-base is Essential).
 * 5. unknown: everything else (e.g. busybox: a shell, but no OS metadata).
 *
 * Shells and OS package managers are the tools analyzer's findings (its
 * command search and catalogue, busybox applets included), so this label can
 * never say "no shell" next to a shell finding. Build tools are found with
 * the same command search (command-search.ts).
 */
import type { FileEntry } from "../types.js";
import type { Finding } from "../finding.js";
import type { AnalyzerContext } from "./analyzer.js";
import { readOsRelease, type OsRelease } from "./os-release.js";
import { findCommands } from "./command-search.js";
import { TOOL_CATALOG, toolPaths } from "./tool-catalog.js";
import { toolFindings } from "./tools.js";

export type BaseClassName = "distroless" | "alpine" | "slim" | "full" | "scratch" | "unknown";

export interface BaseClass {
  class: BaseClassName;
  reasons: string[];
}

/** Below this many regular files, a shell-less image counts as distroless-sized. */
export const FEW_FILES = 1000;

/** Directories whose absence marks a scratch image (not a command search). */
const BIN_DIRS = ["/bin", "/usr/bin", "/sbin", "/usr/sbin"];
const PACKAGE_DBS = ["/var/lib/dpkg", "/lib/apk/db", "/var/lib/rpm", "/usr/lib/sysimage/rpm", "/var/lib/pacman"];
const BUILD_TOOLS = ["gcc", "cc", "make", "git"];

class Facts {
  private fileCount: number | undefined;

  constructor(
    private readonly ctx: AnalyzerContext,
    readonly os: OsRelease | null,
  ) {}

  has(path: string, type?: FileEntry["type"]): boolean {
    const e = this.ctx.files.resolve(path);
    return e !== undefined && (type === undefined || e.type === type);
  }

  /** Executables among `names`, as "dir/name" paths (one per name), by the shared command search. */
  commands(names: readonly string[]): string[] {
    return findCommands(this.ctx.files, this.ctx.config, names);
  }

  regularFiles(): number {
    if (this.fileCount === undefined) {
      let n = 0;
      for (const e of this.ctx.files) if (e.type === "file") n++;
      this.fileCount = n;
    }
    return this.fileCount;
  }

  /** First regular file or symlink under /usr/share/man/<section>/, if any. */
  manPage(): string | undefined {
    for (const section of this.ctx.files.children("/usr/share/man")) {
      if (section.type !== "dir") continue;
      const page = this.ctx.files.children(section.path).find((e) => e.type === "file" || e.type === "symlink");
      if (page !== undefined) return page.path;
    }
    return undefined;
  }

  /** First file under /usr/share/doc/<pkg>/ other than copyright, if any. */
  extraDoc(): string | undefined {
    for (const pkg of this.ctx.files.children("/usr/share/doc")) {
      if (pkg.type !== "dir") continue;
      const doc = this.ctx.files.children(pkg.path).find((e) => !e.path.endsWith("/copyright"));
      if (doc !== undefined) return doc.path;
    }
    return undefined;
  }
}

function isAlpine(f: Facts): string[] | undefined {
  const os = f.os;
  if (os?.id === "alpine") return ["os-release ID=alpine"];
  if (os?.idLike?.includes("alpine")) return [`os-release ID_LIKE includes alpine (ID=${os.id})`];
  if (f.has("/etc/alpine-release", "file")) return ["/etc/alpine-release present"];
  if (os === null) {
    if (f.has("/sbin/apk", "file")) return ["no /etc/os-release, but /sbin/apk present"];
    if (f.has("/lib/apk/db", "dir")) return ["no /etc/os-release, but the apk database /lib/apk/db present"];
  }
  return undefined;
}

function distrolessReasons(f: Facts, shells: string[], pms: string[]): string[] | undefined {
  if (pms.length > 0) return undefined;
  const label = [f.os?.prettyName, f.os?.name].find((s) => s !== undefined && /distroless/i.test(s));
  if (label !== undefined) {
    const reasons = [`os-release names ${JSON.stringify(label)}`, "no package manager"];
    reasons.push(shells.length > 0 ? `shell present (${shells[0]}): a debug variant` : "no shell");
    return reasons;
  }
  if (shells.length > 0) return undefined;
  const reasons = ["no shell", "no package manager"];
  if (f.has("/var/lib/dpkg/status.d", "dir")) return [...reasons, "per-package records in /var/lib/dpkg/status.d/"];
  const n = f.regularFiles();
  if (f.os !== null && n < FEW_FILES) return [...reasons, `only ${n} regular files`];
  return undefined;
}

function osLabel(os: OsRelease | null): string {
  if (os === null) return "no /etc/os-release";
  return `os-release ID=${os.id}${os.versionId !== undefined ? ` VERSION_ID=${os.versionId}` : ""}`;
}

/** Catalogue order, for stable reasons: sh before bash, apt before apt-get. */
const CATALOG_ORDER = new Map(TOOL_CATALOG.map((t, i) => [t.name, i]));

/**
 * Paths of shell findings and names of OS package-manager findings, in
 * catalogue order, every path of each finding (toolPaths: /usr/bin/sh of
 * the one finding for dash) counted under its own name.
 */
function shellsAndPackageManagers(tools: readonly Finding[]): { shells: string[]; pms: string[] } {
  const rank = (tool: string) => CATALOG_ORDER.get(tool) ?? CATALOG_ORDER.size;
  const live = tools.filter((f) => f.inFinalImage && f.aggregate === undefined && f.path !== undefined);
  const reached = (category: Finding["category"]) =>
    live
      .filter((f) => f.category === category)
      .flatMap(toolPaths)
      .sort((a, b) => rank(a.tool) - rank(b.tool) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const osPm = new Set(TOOL_CATALOG.filter((t) => t.os).map((t) => t.name));
  const isOsPm = (tool: string) => osPm.has(tool) || tool.startsWith("apt-") || tool.startsWith("dpkg-");
  const pms = reached("package-manager").filter((p) => isOsPm(p.tool));
  return { shells: [...new Set(reached("shell").map((p) => p.path))], pms: [...new Set(pms.map((p) => p.tool))] };
}

/**
 * Classifies the final image; `os` defaults to its os-release. `tools`: the
 * tools analyzer's findings for this image (default: computed here, with
 * every busybox's applets unread).
 */
export function classifyBase(
  ctx: AnalyzerContext,
  os: OsRelease | null = readOsRelease(ctx),
  tools: readonly Finding[] = toolFindings(ctx),
): BaseClass {
  const f = new Facts(ctx, os);
  const { shells, pms } = shellsAndPackageManagers(tools);
  const pkgDb = PACKAGE_DBS.find((p) => f.has(p, "dir"));

  const binDirs = BIN_DIRS.filter((d) => f.has(d, "dir"));
  if (os === null && binDirs.length === 0 && pkgDb === undefined && shells.length === 0) {
    return {
      class: "scratch",
      reasons: ["no /etc/os-release", "no /bin, /usr/bin, /sbin or /usr/sbin", `${f.regularFiles()} regular files`],
    };
  }

  const alpine = isAlpine(f);
  if (alpine !== undefined) return { class: "alpine", reasons: alpine };

  const distroless = distrolessReasons(f, shells, pms);
  if (distroless !== undefined) return { class: "distroless", reasons: distroless };

  const shell = shells.length > 0 ? `shell ${shells[0]}` : "no shell";
  const shown = pms.length > 6 ? `${pms.slice(0, 6).join(", ")} and ${pms.length - 6} more` : pms.join(", ");
  const pm = pms.length > 0 ? `package manager ${shown}` : "no package manager";
  if (os === null && pkgDb === undefined) {
    return { class: "unknown", reasons: ["no /etc/os-release and no package database", shell, pm] };
  }
  const base = [os === null ? `package database ${pkgDb} (no /etc/os-release)` : osLabel(os), shell, pm];
  const full: string[] = [];
  const man = f.manPage();
  if (man !== undefined) full.push(`man pages (${man})`);
  const doc = f.extraDoc();
  if (doc !== undefined) full.push(`documentation beyond copyright files (${doc})`);
  const build = f.commands(BUILD_TOOLS);
  if (build.length > 0) full.push(`build tools (${build.join(", ")})`);
  if (full.length > 0) return { class: "full", reasons: [...base, ...full] };
  return { class: "slim", reasons: [...base, "no man pages, no documentation beyond copyright files, no build tools"] };
}
