// SLOW REAL-WORLD SUITE: a real debootstrap'd Debian
// bookworm rootfs, packed as an image by GNU tar, scanned by layerlint, and
// checked against the rootfs itself with independent tools (find, getcap,
// lstat). The first run debootstraps (minutes, network); the rootfs and the
// extracted packages are cached in DEBIAN_CACHE, so later runs take seconds.
//
// Also here: the contents of the ca-certificates and python3 packages must
// yield zero secret findings (CA certificates are not secrets, dockle#154).
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJsonLines, runCli } from "./helpers/cli.js";
import { ensureDebianPackages } from "./helpers/debian.js";
import { DEBIAN_PATH, debianPackagesTree, debootstrapRootfs, packRootfs } from "./helpers/pack-rootfs.js";
import { compareTrees, type FilesRecord, walkTree } from "./helpers/umoci.js";
import { layoutWithExtraLayer } from "./helpers/gate.js";

interface Finding {
  ruleId: string;
  category: string;
  severity: string;
  message: string;
  path?: string;
  layer?: number | null;
  inFinalImage: boolean;
  evidence?: Record<string, unknown>;
}
interface Report {
  schemaVersion: number;
  findings: Finding[];
}

const SCAN_TIMEOUT = 180_000;

async function scan(layout: string): Promise<Report> {
  const r = await runCli(["scan", `oci:${layout}`, "--format", "json"]);
  if (r.code !== 0) throw new Error(`layerlint scan oci:${layout} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Report;
}

async function files(layout: string): Promise<FilesRecord[]> {
  const r = await runCli(["files", `oci:${layout}`, "--format", "json"]);
  if (r.code !== 0) throw new Error(`layerlint files oci:${layout} exited ${r.code}: ${r.stderr}`);
  return parseJsonLines<FilesRecord>(r.stdout);
}

const secretsOf = (rep: Report) => rep.findings.filter((f) => f.category === "secret").map((f) => `${f.ruleId} ${f.path ?? "(config)"}`);

// --- An independent reading of the rootfs ---------------------------------

/** The tool catalogue's names, written out independently, for three of its categories. */
const CATALOG: Record<"shell" | "package-manager" | "interpreter", string[]> = {
  shell: "sh bash dash ash zsh ksh mksh csh tcsh fish rbash".split(" "),
  "package-manager": "apt apt-get aptitude dpkg rpm yum dnf microdnf zypper apk pacman pip pip3 pipx npm npx yarn pnpm gem bundle composer conda".split(" "),
  interpreter: "python python2 python3 perl ruby irb node nodejs deno bun php lua luajit tclsh wish Rscript pwsh".split(" "),
};
/** Families whose versioned names count (python3.11, perl5.36.0, pip3.11): name + /\d+(\.\d+)*$/. */
const VERSIONED = ["python", "perl", "ruby", "irb", "node", "php", "lua", "tclsh", "wish", "pip", "gem", "zsh", "ksh"];

/**
 * Debian's hardening advice removes /usr/bin/apt-* and /usr/bin/dpkg* as a whole
 * (`dpkg-deb -x` installs software too): every member of those families is a
 * package-manager tool.
 */
const PACKAGE_FAMILIES = /^(?:apt|dpkg)-[a-z0-9][a-z0-9.+-]*$/;

function catalogCategory(name: string): keyof typeof CATALOG | undefined {
  for (const [cat, names] of Object.entries(CATALOG) as Array<[keyof typeof CATALOG, string[]]>) {
    if (names.includes(name)) return cat;
  }
  if (PACKAGE_FAMILIES.test(name)) return "package-manager";
  const m = /^([A-Za-z-]+?)(\d+(?:\.\d+)*)$/.exec(name);
  if (m !== null && VERSIONED.includes(m[1]!)) return catalogCategory(m[1]!);
  return undefined;
}

/**
 * Resolves an absolute in-image path inside `rootfs`, following symlinks
 * (absolute ones relative to rootfs, never the host), loop-safe. Returns the
 * canonical in-image path, or undefined when it dangles or loops.
 */
function resolveIn(rootfs: string, path: string, followLast = true): string | undefined {
  let hops = 0;
  const todo = path.split("/").filter(Boolean);
  const done: string[] = [];
  while (todo.length > 0) {
    const c = todo.shift()!;
    if (c === ".") continue;
    if (c === "..") {
      done.pop();
      continue;
    }
    const cur = `/${[...done, c].join("/")}`;
    let st;
    try {
      st = lstatSync(`${rootfs}${cur}`);
    } catch {
      return undefined;
    }
    if (st.isSymbolicLink() && (followLast || todo.length > 0)) {
      if (++hops > 40) return undefined;
      const target = readlinkSync(`${rootfs}${cur}`);
      if (target.startsWith("/")) done.length = 0;
      todo.unshift(...target.split("/").filter(Boolean));
      continue;
    }
    done.push(c);
  }
  return `/${done.join("/")}`;
}

function isExecutableFile(rootfs: string, path: string): boolean {
  const real = resolveIn(rootfs, path);
  if (real === undefined) return false;
  const st = lstatSync(`${rootfs}${real}`);
  return st.isFile() && (st.mode & 0o111) !== 0;
}

/** "category path" for every catalog tool reachable in the PATH dirs, dirs deduplicated by real path. */
function expectedTools(rootfs: string): string[] {
  const out = new Set<string>();
  const dirs = new Set(DEBIAN_PATH.split(":").map((d) => resolveIn(rootfs, d)).filter((d) => d !== undefined));
  for (const dir of dirs) {
    if (!existsSync(`${rootfs}${dir}`) || !lstatSync(`${rootfs}${dir}`).isDirectory()) continue;
    for (const name of readdirSync(`${rootfs}${dir}`)) {
      const cat = catalogCategory(name);
      if (cat !== undefined && isExecutableFile(rootfs, `${dir}/${name}`)) out.add(`${cat} ${dir}/${name}`);
    }
  }
  return [...out].sort();
}

function reportedTools(rep: Report): string[] {
  const cats = new Set(Object.keys(CATALOG));
  // One finding per binary: evidence.paths lists every name that reaches it.
  const paths = (f: Report["findings"][number]) => (Array.isArray(f.evidence?.["paths"]) ? (f.evidence["paths"] as string[]) : [f.path ?? "(no path)"]);
  return [...new Set(rep.findings.filter((f) => cats.has(f.category)).flatMap((f) => paths(f).map((p) => `${f.category} ${p}`)))].sort();
}

/** `find ROOTFS -xdev -perm /6000 -type f`, as in-image paths with their directories' symlinks resolved. */
function findSpecialBits(rootfs: string, perm = "/6000"): string[] {
  const r = spawnSync("find", [rootfs, "-xdev", "-perm", perm, "-type", "f"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`find failed: ${r.stderr}`);
  return r.stdout
    .split("\n")
    .filter(Boolean)
    .map((p) => resolveIn(rootfs, p.slice(rootfs.length), false)!)
    .sort();
}

/** In-image paths `getcap -r` lists (file capabilities). */
function getcapPaths(rootfs: string): string[] {
  const r = spawnSync("getcap", ["-r", rootfs], { encoding: "utf8" });
  return r.stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split(/\s+/)[0]!.slice(rootfs.length))
    .sort();
}

/** The files the grouped setuid-stock finding lists. */
function stockFiles(rep: Report): { path: string; octal: string; owner: string; package: string }[] {
  return rep.findings.filter((f) => f.ruleId === "setuid-stock").flatMap((f) => f.evidence!["files"] as { path: string; octal: string; owner: string; package: string }[]);
}

/** Finding paths of these categories (each file of a setuid-stock finding), directory symlinks resolved inside `rootfs` like findSpecialBits. */
function findingPaths(rep: Report, cats: string[], rootfs: string): string[] {
  const norm = (p: string | undefined) => (p === undefined ? "(no path)" : (resolveIn(rootfs, p, false) ?? p));
  const paths = rep.findings.filter((f) => cats.includes(f.category) && f.ruleId !== "setuid-stock").map((f) => f.path);
  if (cats.includes("setuid")) paths.push(...stockFiles(rep).map((f) => f.path));
  return [...new Set(paths.map(norm))].sort();
}

// ---------------------------------------------------------------------------

describe("slow real-world suite: a debootstrap'd Debian bookworm rootfs, packed as an image", () => {
  let tmp: string;
  let rootfs: string;
  let report: Report;

  beforeAll(async () => {
    ensureDebianPackages({ debootstrap: "debootstrap", getcap: "libcap2-bin" });
    tmp = await mkdtemp(`${os.tmpdir()}/layerlint-debian-`);
    rootfs = await debootstrapRootfs(); // cached after the first run
    await packRootfs(rootfs, `${tmp}/rootfs.oci`, { refName: "debian:bookworm-minbase" });
    report = await scan(`${tmp}/rootfs.oci`);
  }, 15 * 60_000);

  afterAll(async () => {
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  });

  it("is a real merged-/usr bookworm rootfs (the suite is not vacuous)", () => {
    expect(readlinkSync(`${rootfs}/bin`)).toBe("usr/bin");
    expect(lstatSync(`${rootfs}/usr/bin/dpkg`).isFile()).toBe(true);
    expect(report.schemaVersion).toBe(1);
    expect(report.findings.length).toBeGreaterThan(0);
  });

  it("layerlint files lists exactly the rootfs it was packed from", { timeout: SCAN_TIMEOUT }, async () => {
    const ours = await files(`${tmp}/rootfs.oci`);
    expect(ours.length).toBeGreaterThan(1000);
    expect(compareTrees(ours, walkTree(rootfs))).toEqual([]);
  });

  it("(a) yields zero secret findings", () => {
    expect(secretsOf(report)).toEqual([]);
  });

  it("(b) reports exactly the setuid/setgid files `find -perm /6000 -type f` lists", () => {
    const expected = findSpecialBits(rootfs);
    expect(expected).toContain("/usr/bin/su");
    expect(expected).toContain("/usr/sbin/unix_chkpwd");
    expect(findingPaths(report, ["setuid", "setgid"], rootfs)).toEqual(expected);
    // And each finding's category matches its bit.
    const suid = new Set(findSpecialBits(rootfs, "-4000"));
    const sgid = new Set(findSpecialBits(rootfs, "-2000"));
    const wrong = report.findings
      .filter((f) => f.ruleId !== "setuid-stock")
      .filter((f) => (f.category === "setuid" && !suid.has(f.path!)) || (f.category === "setgid" && !sgid.has(f.path!)))
      .map((f) => `${f.category} ${f.path}`);
    // A stock file's octal mode shows its bits: 4xxx setuid, 2xxx setgid.
    for (const f of stockFiles(report)) {
      if (suid.has(f.path) !== (Number(f.octal[0]) & 4) > 0 || sgid.has(f.path) !== (Number(f.octal[0]) & 2) > 0) wrong.push(`stock ${f.path} ${f.octal}`);
    }
    expect(wrong).toEqual([]);
  });

  it("groups the stock setuid/setgid files dpkg installed into one low finding: no HIGH setuid finding", () => {
    const stock = report.findings.filter((f) => f.ruleId === "setuid-stock");
    expect(stock.map((f) => [f.category, f.severity])).toEqual([["setuid", "low"]]);
    // Every setuid/setgid file of a stock bookworm is in it: none is reported on its own.
    expect(stockFiles(report).map((f) => f.path)).toEqual(findSpecialBits(rootfs));
    expect(report.findings.filter((f) => f.ruleId === "setuid-binary" || f.ruleId === "setgid-binary")).toEqual([]);
    // The package each names is the one dpkg itself says owns the file (Debian's lists name /bin or /usr/bin paths).
    for (const f of stockFiles(report)) {
      const owner = [f.path, f.path.replace(/^\/usr/, "")].map((p) => {
        const r = spawnSync("dpkg-query", [`--admindir=${rootfs}/var/lib/dpkg`, "-S", p], { encoding: "utf8" });
        return r.status === 0 ? r.stdout.split(":")[0] : undefined;
      });
      expect(owner, f.path).toContain(f.package);
      expect(f.owner.startsWith("0:"), f.path).toBe(true);
    }
    expect(report.findings.filter((f) => f.category === "setuid" && f.severity === "high")).toEqual([]);
  });

  it("reports exactly the file capabilities `getcap -r` lists", () => {
    expect(findingPaths(report, ["capability"], rootfs)).toEqual(getcapPaths(rootfs));
  });

  it("(c) reports exactly the shells, package managers and interpreters a look at the rootfs confirms", () => {
    const expected = expectedTools(rootfs);
    for (const must of [
      "shell /usr/bin/bash",
      "shell /usr/bin/dash",
      "shell /usr/bin/sh",
      "shell /usr/bin/rbash",
      "package-manager /usr/bin/apt",
      "package-manager /usr/bin/apt-get",
      "package-manager /usr/bin/dpkg",
      "interpreter /usr/bin/perl",
    ]) {
      expect(expected).toContain(must);
    }
    expect(reportedTools(report)).toEqual(expected);
  });

  it("reports dpkg-deb and the other dpkg*/apt* tools as package-manager tools", () => {
    const reported = new Set(reportedTools(report));
    const inRootfs = readdirSync(`${rootfs}/usr/bin`).filter((n) => /^(?:apt|dpkg)-/.test(n));
    for (const must of ["dpkg-deb", "dpkg-query", "dpkg-split", "dpkg-divert", "dpkg-statoverride", "dpkg-trigger", "dpkg-maintscript-helper", "apt-cache", "apt-config", "apt-mark", "apt-key", "apt-cdrom"]) {
      expect(inRootfs).toContain(must);
    }
    expect(inRootfs.filter((n) => !reported.has(`package-manager /usr/bin/${n}`))).toEqual([]);
    // The base-class line names them among the package managers and agrees with the shell findings.
    const full = report as Report & { image: { baseClass: { reasons: string[] } } };
    expect(full.image.baseClass.reasons.some((r) => r.startsWith("package manager") && r.includes("apt"))).toBe(true);
    expect(full.image.baseClass.reasons.some((r) => r.startsWith("no shell"))).toBe(false);
  });

  it("finds a password assignment in a file whose name says password, whatever its extension", { timeout: SCAN_TIMEOUT }, async () => {
    const app = `${tmp}/rootfs-app.oci`;
    await layoutWithExtraLayer(`${tmp}/rootfs.oci`, app, { "/app/config/db-password.txt": "db_host=db\ndb_password=Zq7!vR2m#Kp9xW4t\n" }, "COPY config /app/config");
    const rep = await scan(app);
    expect(secretsOf(rep)).toEqual(["secret-password-assignment /app/config/db-password.txt"]);
  });

  it("reports dash once, with /usr/bin/sh among its paths; bash once with rbash; perl once with perl5.36.0", () => {
    const shells = report.findings.filter((f) => f.category === "shell");
    expect(shells.map((f) => [f.path, f.evidence?.["paths"]])).toEqual([
      ["/usr/bin/bash", ["/usr/bin/bash", "/usr/bin/rbash"]],
      ["/usr/bin/dash", ["/usr/bin/dash", "/usr/bin/sh"]],
    ]);
    const perl = report.findings.filter((f) => f.category === "interpreter" && f.evidence?.["tool"] === "perl");
    expect(perl.map((f) => [f.path, f.evidence?.["paths"]])).toEqual([["/usr/bin/perl", ["/usr/bin/perl", "/usr/bin/perl5.36.0"]]]);
  });
});

describe("slow real-world suite: ca-certificates and python3 package contents", () => {
  let tmp: string;
  let tree: string;
  let report: Report;

  beforeAll(async () => {
    tmp = await mkdtemp(`${os.tmpdir()}/layerlint-debpkgs-`);
    tree = await debianPackagesTree(); // cached after the first run
    await packRootfs(tree, `${tmp}/pkgs.oci`);
    report = await scan(`${tmp}/pkgs.oci`);
  }, 15 * 60_000);

  afterAll(async () => {
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  });

  it("holds the CA certificates and the Python standard library", () => {
    expect(readdirSync(`${tree}/usr/share/ca-certificates/mozilla`).filter((f) => f.endsWith(".crt")).length).toBeGreaterThan(100);
    expect(existsSync(`${tree}/usr/lib/python3.11/ssl.py`)).toBe(true);
  });

  it("yields zero secret findings", () => {
    expect(secretsOf(report)).toEqual([]);
  });

  it("reports exactly the interpreters the tree holds (/usr/bin/python3.11; /usr/bin/python3 is in python3-minimal, not here)", () => {
    const expected = expectedTools(tree);
    expect(expected).toContain("interpreter /usr/bin/python3.11");
    expect(reportedTools(report)).toEqual(expected);
  });
});

describe("pack-rootfs helper: GNU tar keeps what the scan needs", () => {
  let tmp: string;

  beforeAll(async () => {
    ensureDebianPackages({ setcap: "libcap2-bin" });
    tmp = await mkdtemp(`${os.tmpdir()}/layerlint-pack-`);
  });

  afterAll(async () => {
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  });

  it("setuid, setgid, owners, symlinks, hardlinks and a binary capability xattr survive", { timeout: SCAN_TIMEOUT }, async () => {
    const root = `${tmp}/tree`;
    mkdirSync(`${root}/usr/bin`, { recursive: true });
    mkdirSync(`${root}/home/app`, { recursive: true });
    chownSync(`${root}/home/app`, 1000, 1000);
    const elf = Buffer.concat([Buffer.from("\x7fELF"), Buffer.alloc(60, 0)]);
    writeFileSync(`${root}/usr/bin/su`, elf);
    chmodSync(`${root}/usr/bin/su`, 0o4755);
    writeFileSync(`${root}/usr/bin/chage`, elf);
    chownSync(`${root}/usr/bin/chage`, 0, 42);
    chmodSync(`${root}/usr/bin/chage`, 0o2755);
    writeFileSync(`${root}/usr/bin/ping`, elf);
    chmodSync(`${root}/usr/bin/ping`, 0o755);
    execFileSync("setcap", ["cap_net_raw+ep", `${root}/usr/bin/ping`]);
    writeFileSync(`${root}/usr/bin/dash`, elf);
    chmodSync(`${root}/usr/bin/dash`, 0o755);
    symlinkSync("dash", `${root}/usr/bin/sh`);
    linkSync(`${root}/usr/bin/su`, `${root}/usr/bin/su2`);
    symlinkSync("usr/bin", `${root}/bin`);

    await packRootfs(root, `${tmp}/small.oci`);
    const ours = await files(`${tmp}/small.oci`);
    expect(ours.some((r) => r.type === "hardlink")).toBe(true);
    expect(compareTrees(ours, walkTree(root))).toEqual([]);

    const rep = await scan(`${tmp}/small.oci`);
    expect(findingPaths(rep, ["setuid", "setgid"], root)).toEqual(findSpecialBits(root));
    expect(findingPaths(rep, ["capability"], root)).toEqual(["/usr/bin/ping"]);
    const cap = rep.findings.find((f) => f.category === "capability");
    expect(JSON.stringify(cap)).toContain("cap_net_raw");
    expect(reportedTools(rep)).toEqual(expectedTools(root));
  });
});
