/**
 * What kind of base the image is built on (issue 3, analyzer 8): a coarse,
 * explainable label for the report, never a finding. Rules, first match wins:
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
 * Shells and package managers are looked up in the image's PATH (config Env,
 * else Docker's default) plus the standard bin dirs, following symlinks.
 */
import type { FileEntry } from "../types.js";
import type { AnalyzerContext } from "./analyzer.js";
import { readOsRelease, type OsRelease } from "./os-release.js";

export type BaseClassName = "distroless" | "alpine" | "slim" | "full" | "scratch" | "unknown";

export interface BaseClass {
  class: BaseClassName;
  reasons: string[];
}

/** Below this many regular files, a shell-less image counts as distroless-sized. */
export const FEW_FILES = 1000;

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const BIN_DIRS = ["/bin", "/usr/bin", "/sbin", "/usr/sbin"];
const SHELLS = ["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"];
const PACKAGE_MANAGERS = ["apt-get", "apt", "dpkg", "apk", "rpm", "yum", "dnf", "microdnf", "tdnf", "zypper", "pacman"];
const PACKAGE_DBS = ["/var/lib/dpkg", "/lib/apk/db", "/var/lib/rpm", "/usr/lib/sysimage/rpm", "/var/lib/pacman"];
const BUILD_TOOLS = ["gcc", "cc", "make", "git"];

class Facts {
  private dirs: string[] | undefined;
  private fileCount: number | undefined;

  constructor(
    private readonly ctx: AnalyzerContext,
    readonly os: OsRelease | null,
  ) {}

  has(path: string, type?: FileEntry["type"]): boolean {
    const e = this.ctx.files.resolve(path);
    return e !== undefined && (type === undefined || e.type === type);
  }

  /** Real directories searched for commands: PATH first, then the standard ones, deduplicated. */
  searchDirs(): string[] {
    if (this.dirs !== undefined) return this.dirs;
    let path = DEFAULT_PATH;
    for (const kv of this.ctx.config.config.Env ?? []) if (kv.startsWith("PATH=")) path = kv.slice(5);
    const seen = new Set<string>();
    for (const d of [...path.split(":"), ...BIN_DIRS]) {
      if (!d.startsWith("/")) continue;
      const real = this.ctx.files.resolvePath(d);
      if (real !== undefined && this.ctx.files.get(real)?.type === "dir") seen.add(real);
    }
    return (this.dirs = [...seen]);
  }

  /** Executables among `names`, as "dir/name" paths (one per name). */
  commands(names: readonly string[]): string[] {
    const out: string[] = [];
    for (const name of names) {
      for (const dir of this.searchDirs()) {
        const p = dir === "/" ? `/${name}` : `${dir}/${name}`;
        const e = this.ctx.files.resolve(p);
        if (e?.type === "file" && (e.mode & 0o111) !== 0) {
          out.push(p);
          break;
        }
      }
    }
    return out;
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
    reasons.push(shells.length > 0 ? `shell present (${shells[0]}): a debug variant` : "no shell in PATH");
    return reasons;
  }
  if (shells.length > 0) return undefined;
  const reasons = ["no shell in PATH", "no package manager"];
  if (f.has("/var/lib/dpkg/status.d", "dir")) return [...reasons, "per-package records in /var/lib/dpkg/status.d/"];
  const n = f.regularFiles();
  if (f.os !== null && n < FEW_FILES) return [...reasons, `only ${n} regular files`];
  return undefined;
}

function osLabel(os: OsRelease | null): string {
  if (os === null) return "no /etc/os-release";
  return `os-release ID=${os.id}${os.versionId !== undefined ? ` VERSION_ID=${os.versionId}` : ""}`;
}

/** Classifies the final image; `os` defaults to its os-release. */
export function classifyBase(ctx: AnalyzerContext, os: OsRelease | null = readOsRelease(ctx)): BaseClass {
  const f = new Facts(ctx, os);
  const shells = f.commands(SHELLS);
  const pms = f.commands(PACKAGE_MANAGERS);
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

  const tools = shells.length > 0 ? `shell ${shells[0]}` : "no shell in PATH";
  const pmNames = pms.map((p) => p.slice(p.lastIndexOf("/") + 1));
  const pm = pms.length > 0 ? `package manager ${pmNames.join(", ")}` : "no package manager";
  if (os === null && pkgDb === undefined) {
    return { class: "unknown", reasons: ["no /etc/os-release and no package database", tools, pm] };
  }
  const base = [os === null ? `package database ${pkgDb} (no /etc/os-release)` : osLabel(os), tools, pm];
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
