import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseDpkgList, parseDpkgMd5sums, parseDpkgStatus } from "./dpkg.js";
import { parseApkInstalled } from "./apk.js";
import { parseRpmHeader } from "./rpm-header.js";
import { rpmNdbBlobs } from "./rpm-ndb.js";
import { rpmBdbBlobs } from "./rpm-bdb.js";
import { rpmSqliteBlobs } from "./rpm-sqlite.js";
import { UnreadableDatabase } from "./owned-files.js";
import { createPackageDbState, readPackageDb } from "./package-db-state.js";
import type { FileEntry } from "../types.js";

const b = (s: string) => Buffer.from(s);
const fixture = (name: string) => new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../../fixtures/rpmdb/${name}`, import.meta.url))));

/** A header blob: entries {tag, type, data}; strings NUL-terminated, int32/int16 big-endian, as rpm lays them out. */
function header(entries: Array<{ tag: number; type: number; strings?: string[]; ints?: number[] }>): Uint8Array {
  const index: Buffer[] = [];
  const data: Buffer[] = [];
  let dl = 0;
  for (const e of entries) {
    let bytes: Buffer;
    if (e.strings !== undefined) bytes = Buffer.from(e.strings.map((s) => s + "\0").join(""));
    else {
      const w = e.type === 3 ? 2 : 4;
      while (dl % w !== 0) (data.push(Buffer.alloc(1)), dl++);
      bytes = Buffer.alloc(e.ints!.length * w);
      e.ints!.forEach((v, i) => (w === 2 ? bytes.writeUInt16BE(v, i * 2) : bytes.writeInt32BE(v, i * 4)));
    }
    const ie = Buffer.alloc(16);
    ie.writeInt32BE(e.tag, 0);
    ie.writeUInt32BE(e.type, 4);
    ie.writeInt32BE(dl, 8);
    ie.writeUInt32BE(e.strings?.length ?? e.ints!.length, 12);
    index.push(ie);
    data.push(bytes);
    dl += bytes.length;
  }
  const pre = Buffer.alloc(8);
  pre.writeUInt32BE(entries.length, 0);
  pre.writeUInt32BE(dl, 4);
  return new Uint8Array(Buffer.concat([pre, ...index, ...data]));
}

const SHADOW = header([
  { tag: 1000, type: 6, strings: ["shadow-utils"] },
  { tag: 1030, type: 3, ints: [0o104755, 0o100755] },
  { tag: 1035, type: 8, strings: ["a".repeat(64), "b".repeat(64)] },
  { tag: 1116, type: 4, ints: [0, 1] },
  { tag: 1117, type: 8, strings: ["su", "chage"] },
  { tag: 1118, type: 8, strings: ["/usr/bin/", "/usr/sbin/"] },
  { tag: 5011, type: 4, ints: [8] },
]);

/** Throws only UnreadableDatabase or RangeError (what readPackageDb turns into "unreadable"), and ends. */
function failsCleanly(read: () => unknown): void {
  try {
    read();
  } catch (err) {
    expect(err instanceof UnreadableDatabase || err instanceof RangeError, String(err)).toBe(true);
  }
}

describe("dpkg", () => {
  it("reads .list paths, skipping the root and anything that climbs", () => {
    expect(parseDpkgList(b("/.\n/bin\n/bin/su\r\n/usr/../etc/x\n\n"))).toEqual(["/bin", "/bin/su"]);
  });
  it("reads md5sums and ignores malformed lines", () => {
    const sums = parseDpkgMd5sums(b(`${"A".repeat(32)}  usr/bin/su\nnot a line\n${"0".repeat(31)}  usr/bin/x\n`));
    expect([...sums]).toEqual([["/usr/bin/su", { algo: "md5", hex: "a".repeat(32) }]]);
  });
  it("keeps only installed packages, by name and name:arch", () => {
    const s = parseDpkgStatus(
      b("Package: a\nStatus: install ok installed\nArchitecture: amd64\n\nPackage: b\nStatus: deinstall ok config-files\n\nPackage: c\nStatus: install ok half-configured\n"),
    );
    expect([...s].sort()).toEqual(["a", "a:amd64"]);
    expect([...parseDpkgStatus(b("Package: d\nVersion: 1\n"), false)]).toEqual(["d"]);
  });
  it("refuses a binary status file", () => {
    expect(() => parseDpkgStatus(new Uint8Array([0, 1]))).toThrow(UnreadableDatabase);
  });
});

describe("apk installed", () => {
  it("reads F:/R: paths, Z: SHA-1 and a: modes; fields before P: name no package", () => {
    const sha1 = Buffer.alloc(20, 7);
    const db = `R:orphan\n\nC:Q1x=\nP:busybox-suid\nF:bin\nR:bbsuid\na:0:0:4111\nZ:Q1${sha1.toString("base64")}\nR:plain\nZ:Q1short\n\nP:root-files\nR:top\n`;
    expect(parseApkInstalled(b(db))).toEqual([
      {
        name: "busybox-suid",
        files: [
          { path: "/bin/bbsuid", mode: 0o4111, digest: { algo: "sha1", hex: sha1.toString("hex") } },
          // A Z: value in a form the scan cannot check is recorded as such, never as "no digest".
          { path: "/bin/plain", mode: 0o755, digest: "unread" },
        ],
      },
      { name: "root-files", files: [{ path: "/top", mode: 0o755 }] },
    ]);
  });
  it("refuses a binary database", () => {
    expect(() => parseApkInstalled(new Uint8Array([80, 58, 0]))).toThrow(UnreadableDatabase);
  });
});

describe("rpm header", () => {
  it("reads name, paths from BASENAMES/DIRNAMES/DIRINDEXES, modes and sha256 digests", () => {
    expect(parseRpmHeader(SHADOW)).toEqual({
      name: "shadow-utils",
      files: [
        { path: "/usr/bin/su", mode: 0o4755, digest: { algo: "sha256", hex: "a".repeat(64) } },
        { path: "/usr/sbin/chage", mode: 0o755, digest: { algo: "sha256", hex: "b".repeat(64) } },
      ],
    });
  });
  it("a digest under an unknown algorithm, or malformed, is 'unread' (never a wrong one, never none)", () => {
    const h = parseRpmHeader(header([{ tag: 1000, type: 6, strings: ["x"] }, { tag: 1027, type: 8, strings: ["/bin/su"] }, { tag: 1035, type: 8, strings: ["c".repeat(128)] }, { tag: 5011, type: 4, ints: [10] }]));
    expect(h.files).toEqual([{ path: "/bin/su", mode: undefined, digest: "unread" }]);
    const bad = parseRpmHeader(header([{ tag: 1000, type: 6, strings: ["x"] }, { tag: 1027, type: 8, strings: ["/bin/su"] }, { tag: 1035, type: 8, strings: ["zz"] }, { tag: 5011, type: 4, ints: [8] }]));
    expect(bad.files).toEqual([{ path: "/bin/su", mode: undefined, digest: "unread" }]);
  });
  it("every truncation and hostile count fails cleanly", () => {
    for (let n = 0; n < SHADOW.length; n++) expect(() => parseRpmHeader(SHADOW.subarray(0, n))).toThrow(UnreadableDatabase);
    const huge = new Uint8Array(SHADOW);
    new DataView(huge.buffer).setUint32(0, 0x7fffffff);
    expect(() => parseRpmHeader(huge)).toThrow(UnreadableDatabase);
    const badIndex = header([{ tag: 1000, type: 6, strings: ["x"] }, { tag: 1116, type: 4, ints: [5] }, { tag: 1117, type: 8, strings: ["su"] }, { tag: 1118, type: 8, strings: ["/bin/"] }]);
    expect(() => parseRpmHeader(badIndex)).toThrow("DIRINDEXES points past DIRNAMES");
  });
});

describe("rpm databases written by real rpm installations (go-rpmdb's test data)", () => {
  it("NDB: SLE 15 BCI's Packages.db", () => {
    const pkgs = [...rpmNdbBlobs(fixture("sle15-bci.Packages.db"))].map(parseRpmHeader);
    expect(pkgs.length).toBeGreaterThan(30);
    const glibc = pkgs.find((p) => p.name === "glibc")!;
    expect(glibc.files.some((f) => f.path === "/etc/gai.conf")).toBe(true);
    expect(glibc.files.find((f) => f.digest !== undefined)!.digest!.algo).toBe("sha256");
  });
  it("BerkeleyDB hash: RHEL 8's libuuid Packages", () => {
    const pkgs = [...rpmBdbBlobs(fixture("libuuid.Packages"))].map(parseRpmHeader);
    expect(pkgs.map((p) => p.name)).toEqual(["libuuid"]);
    expect(pkgs[0]!.files.map((f) => f.path)).toContain("/usr/lib64/libuuid.so.1");
  });
  it.each([
    ["sle15-bci.Packages.db", rpmNdbBlobs],
    ["libuuid.Packages", rpmBdbBlobs],
  ] as const)("%s: truncated anywhere or corrupted, fails cleanly and ends", (name, read) => {
    const whole = fixture(name);
    for (const n of [0, 16, 31, 100, 511, 4096, 4097, 8192, 12000, Math.floor(whole.length / 2), whole.length - 1]) {
      failsCleanly(() => [...read(whole.subarray(0, n))].map(parseRpmHeader));
    }
    let seed = 1;
    for (let i = 0; i < 200; i++) {
      const bad = new Uint8Array(whole);
      for (let j = 0; j < 8; j++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        bad[seed % Math.min(bad.length, 65536)] = seed >>> 24;
      }
      failsCleanly(() => [...read(bad)].map(parseRpmHeader));
    }
  });
  it("sqlite refuses what is not an sqlite database, and a loop in its pages", () => {
    expect(() => [...rpmSqliteBlobs(fixture("libuuid.Packages"))]).toThrow("not an sqlite database");
    const page = 512;
    const db = new Uint8Array(page * 2);
    db.set(Buffer.from("SQLite format 3\0"));
    new DataView(db.buffer).setUint16(16, page);
    new DataView(db.buffer).setUint32(56, 1);
    // Page 1: an interior table page whose only child is page 1 again.
    db[100] = 0x05;
    new DataView(db.buffer).setUint32(108, 1);
    expect(() => [...rpmSqliteBlobs(db)]).toThrow("reached twice");
  });
});

describe("readPackageDb", () => {
  const entry = (path: string, size: number): FileEntry => ({ path, type: "file", mode: 0o644, uid: 0, gid: 0, size, layer: 0 });
  it("records a reason, never throws, for a cut or hostile database", () => {
    const state = createPackageDbState();
    const cut = entry("/var/lib/rpm/Packages", 100);
    readPackageDb(cut, new Uint8Array(50), state);
    expect(state.read.get(cut)).toBe("only 50 of its 100 bytes were read");
    const bad = entry("/usr/lib/sysimage/rpm/Packages.db", 64);
    readPackageDb(bad, new Uint8Array(64), state);
    expect(state.read.get(bad)).toBe("not an rpm NDB database");
    const sqlite = entry("/var/lib/rpm/rpmdb.sqlite", 4);
    readPackageDb(sqlite, b("junk"), state);
    expect(state.read.get(sqlite)).toBe("not an sqlite database");
  });
});
