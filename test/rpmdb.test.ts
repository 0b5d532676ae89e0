// rpm databases made by Debian's own rpm tools, read by layerlint's readers
// and checked against rpm itself: `rpmbuild` builds a package with setuid
// files and enough files for its header to span overflow pages, `rpm
// --justdb` installs it into an sqlite rpmdb, `db5.3_load` writes the same
// header blobs into a BerkeleyDB hash (the format rpm used before 4.16).
// `rpm -qa --dump` is the oracle for paths, modes and digests. Then, end to
// end, an image with that rpmdb: the stock files as rpm installed them are
// one setuid-stock finding; a replaced binary and a bit rpm did not set stay
// HIGH.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { ensureDebianPackages } from "./helpers/debian.js";
import { dir, file, image, layer, layoutFiles, packTar, writeTree } from "./hostile/build.js";
import type { TarEntry } from "../fixtures/lib/tar-pack.js";
import { rpmSqliteBlobs } from "../packages/core/dist/packages/rpm-sqlite.js";
import { rpmBdbBlobs } from "../packages/core/dist/packages/rpm-bdb.js";
import { parseRpmHeader } from "../packages/core/dist/packages/rpm-header.js";
import { UnreadableDatabase } from "../packages/core/dist/packages/owned-files.js";

const BINARIES: Record<string, [string, number]> = {
  "/usr/bin/su": ["su binary\n", 0o4755],
  "/usr/bin/passwd": ["passwd binary\n", 0o4755],
  "/usr/bin/chage": ["chage binary\n", 0o755],
};
const FILLER = 400; // files in /usr/share/doc/shadow-utils: a header of several KiB, past one sqlite/BDB page

let tmp: string;
let sqlite: Uint8Array;
let bdb: Uint8Array;

function sh(cmd: string, args: string[], cwd = tmp): string {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

beforeAll(async () => {
  ensureDebianPackages({ rpmbuild: "rpm", "db5.3_load": "db5.3-util", sqlite3: "sqlite3" });
  tmp = await mkdtemp(`${tmpdir()}/layerlint-rpmdb-`);
  mkdirSync(`${tmp}/SPECS`);
  const install = Object.entries(BINARIES).map(([p, [content]]) => `printf '${content.replace("\n", "\\n")}' > %{buildroot}${p}`);
  const files = Object.entries(BINARIES).map(([p, [, mode]]) => `%attr(${mode.toString(8)},root,root) ${p}`);
  writeFileSync(
    `${tmp}/SPECS/shadow.spec`,
    [
      "Name: shadow-utils", "Version: 4.14", "Release: 1", "Summary: layerlint test package", "License: BSD", "BuildArch: x86_64",
      "%description", "layerlint test package",
      "%install", "mkdir -p %{buildroot}/usr/bin %{buildroot}/usr/share/doc/shadow-utils", ...install,
      `for i in $(seq 1 ${FILLER}); do echo $i > %{buildroot}/usr/share/doc/shadow-utils/note-$i.txt; done`,
      "%files", ...files, "/usr/share/doc/shadow-utils", "",
    ].join("\n"),
  );
  sh("rpmbuild", ["--define", `_topdir ${tmp}`, "--define", "debug_package %{nil}", "--define", "__os_install_post %{nil}", "-bb", "SPECS/shadow.spec"]);
  mkdirSync(`${tmp}/db`);
  sh("rpm", ["--dbpath", `${tmp}/db`, "--initdb"]);
  sh("rpm", ["--dbpath", `${tmp}/db`, "-i", "--justdb", "--nodeps", "--noscripts", `${tmp}/RPMS/x86_64/shadow-utils-4.14-1.x86_64.rpm`]);
  sqlite = new Uint8Array(readFileSync(`${tmp}/db/rpmdb.sqlite`));
  // The same blobs, taken out by sqlite3 itself, into a BerkeleyDB hash keyed by a 4-byte instance number.
  const hex = sh("sqlite3", [`${tmp}/db/rpmdb.sqlite`, "SELECT hnum, hex(blob) FROM Packages"]).trim().split("\n");
  const dump = ["VERSION=3", "format=bytevalue", "type=hash", "db_pagesize=4096", "HEADER=END"];
  for (const line of hex) {
    const [hnum, blob] = line.split("|");
    const key = Buffer.alloc(4);
    key.writeUInt32LE(Number(hnum));
    dump.push(` ${key.toString("hex")}`, ` ${blob!.toLowerCase()}`);
  }
  dump.push("DATA=END", "");
  writeFileSync(`${tmp}/dump.txt`, dump.join("\n"));
  sh("db5.3_load", ["-f", `${tmp}/dump.txt`, `${tmp}/Packages`]);
  bdb = new Uint8Array(readFileSync(`${tmp}/Packages`));
}, 300_000);
afterAll(() => (tmp === undefined ? undefined : rm(tmp, { recursive: true, force: true })));

/** `rpm -qa --dump`: path → [sha256, mode], rpm's own reading of the database. */
function rpmDump(): Map<string, [string, number]> {
  const out = new Map<string, [string, number]>();
  for (const line of sh("rpm", ["--dbpath", `${tmp}/db`, "-qa", "--dump"]).trim().split("\n")) {
    const [path, , , digest, mode] = line.split(" ");
    out.set(path!, [digest!, parseInt(mode!, 8) & 0o7777]);
  }
  return out;
}

const ours = (blobs: Iterable<Uint8Array>) =>
  new Map([...blobs].map(parseRpmHeader).flatMap((p) => p.files.filter((f) => f.digest !== undefined).map((f) => [f.path, [f.digest!.hex, f.mode!]] as const)));

describe("rpm databases made by Debian's rpm and db5.3_load", () => {
  it("sqlite: every file, digest and mode rpm -qa --dump lists, through overflow pages", () => {
    const blobs = [...rpmSqliteBlobs(sqlite)];
    expect(blobs).toHaveLength(1);
    expect(blobs[0]!.length).toBeGreaterThan(4096);
    const dump = rpmDump();
    expect(dump.size).toBeGreaterThan(FILLER);
    expect(ours(blobs)).toEqual(new Map([...dump].filter(([p]) => !p.endsWith("/shadow-utils"))));
    expect(dump.get("/usr/bin/su")![1]).toBe(0o4755);
  });

  it("BerkeleyDB hash: the same packages", () => {
    expect(ours(rpmBdbBlobs(bdb))).toEqual(ours(rpmSqliteBlobs(sqlite)));
  });

  it("cut at every 1 KiB, both fail cleanly and end", () => {
    for (const db of [sqlite, bdb]) {
      const read = db === sqlite ? rpmSqliteBlobs : rpmBdbBlobs;
      for (let n = 0; n < db.length; n += 1024) {
        try {
          [...read(db.subarray(0, n))].map(parseRpmHeader);
        } catch (err) {
          expect(err instanceof UnreadableDatabase || err instanceof RangeError, String(err)).toBe(true);
        }
      }
    }
  });

  it("end to end: rpm's stock files are one setuid-stock finding; a replaced binary and an added bit stay HIGH", async () => {
    const bins = (over: Record<string, [string, number]> = {}): TarEntry[] =>
      Object.entries({ ...BINARIES, ...over }).map(([p, [c, m]]) => file(p.slice(1), c, m));
    const rpmdb = [dir("var"), dir("var/lib"), dir("var/lib/rpm"), file("var/lib/rpm/rpmdb.sqlite", Buffer.from(sqlite))];
    const scan = async (name: string, layers: TarEntry[][]) => {
      const built = image({ layers: await Promise.all(layers.map(async (l) => layer(await packTar(l)))) });
      const root = await writeTree(`${tmp}/${name}`, layoutFiles(built));
      const r = await runCli(["scan", `oci:${root}`, "--format", "json"]);
      expect(r.stderr).toBe("");
      const rep = JSON.parse(r.stdout) as { findings: { ruleId: string; severity: string; path?: string; evidence?: Record<string, unknown> }[] };
      return {
        stock: rep.findings.filter((f) => f.ruleId === "setuid-stock").flatMap((f) => (f.evidence!["files"] as { path: string; package: string; verifiedBy: string }[]).map((x) => `${x.path} ${x.package} ${x.verifiedBy}`)),
        high: rep.findings.filter((f) => f.severity === "high").map((f) => `${f.path} ${f.evidence?.["notStock"]}`),
      };
    };
    const usr = [dir("usr"), dir("usr/bin")];
    expect(await scan("rpm-stock", [[...usr, ...bins(), ...rpmdb]])).toEqual({
      stock: ["/usr/bin/passwd shadow-utils sha256 digest", "/usr/bin/su shadow-utils sha256 digest"],
      high: [],
    });
    const bdbImage = [dir("var"), dir("var/lib"), dir("var/lib/rpm"), file("var/lib/rpm/Packages", Buffer.from(bdb))];
    expect((await scan("rpm-bdb", [[...usr, ...bins(), ...bdbImage]])).stock).toHaveLength(2);
    const crafted = await scan("rpm-crafted", [[...usr, ...bins({ "/usr/bin/passwd": ["trojan\n", 0o4755], "/usr/bin/chage": ["chage binary\n", 0o4755] }), ...rpmdb]]);
    expect(crafted).toEqual({
      stock: ["/usr/bin/su shadow-utils sha256 digest"],
      high: [
        "/usr/bin/chage its setuid/setgid bits are not the ones shadow-utils's database records",
        "/usr/bin/passwd its content does not match the sha256 digest shadow-utils's database records",
      ],
    });
    const hash = createHash("sha256").update("su binary\n").digest("hex");
    expect(rpmDump().get("/usr/bin/su")![0]).toBe(hash);
  });
});
