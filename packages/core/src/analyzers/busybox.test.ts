import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FileEntry } from "../types.js";
import { BUSYBOX_CONTENT_CAP, BusyboxAppletScanner, busyboxWantsContent, parseBusyboxApplets } from "./busybox.js";

/** A fake busybox: ELF magic, junk, the NUL-separated sorted applet table, junk. */
function syntheticBusybox(applets: readonly string[], opts: { before?: string; after?: string } = {}): Uint8Array {
  const junk = (seed: number, n: number) => Buffer.from(Array.from({ length: n }, (_, k) => (k * 131 + seed * 7) & 0xff));
  return Buffer.concat([
    Buffer.from("\x7fELF\x02\x01\x01", "latin1"),
    junk(1, 300),
    Buffer.from("\0BusyBox v1.36.1 (2024-01-01) multi-call binary.\0usage: busybox [function [arguments]...]\0\0"),
    Buffer.from(opts.before ?? ""),
    Buffer.from(applets.join("\0") + "\0\0", "latin1"),
    Buffer.from(opts.after ?? ""),
    junk(2, 500),
  ]);
}

const APPLETS = [
  "[", "[[", "acpid", "addgroup", "adduser", "ash", "awk", "base64", "cat", "chmod", "chown", "cp", "date",
  "echo", "env", "ftpget", "ftpput", "grep", "gzip", "hostname", "httpd", "ifconfig", "kill", "ln", "ls",
  "mkdir", "mkfs.ext2", "mount", "mv", "nc", "netstat", "nslookup", "ping", "ps", "rm", "run-parts", "sed", "sh",
  "sleep", "ssl_client", "su", "tar", "telnet", "tftp", "top", "umount", "vi", "wget",
];

const entry = (path: string, size: number): FileEntry => ({ path, type: "file", mode: 0o755, uid: 0, gid: 0, size, layer: 0 });

describe("parseBusyboxApplets", () => {
  it("finds the sorted applet table between junk", () => {
    expect(parseBusyboxApplets(syntheticBusybox(APPLETS))).toEqual(APPLETS);
  });

  it("accepts a long table without the [ / [[ opening", () => {
    const names = APPLETS.filter((a) => !a.startsWith("["));
    expect(parseBusyboxApplets(syntheticBusybox(names))).toEqual(names);
  });

  it("accepts a tiny build that opens with [ and [[", () => {
    expect(parseBusyboxApplets(syntheticBusybox(["[", "[[", "sh", "wget"]))).toEqual(["[", "[[", "sh", "wget"]);
  });

  it("cuts a lower-sorting string that runs into the table", () => {
    expect(parseBusyboxApplets(syntheticBusybox(APPLETS, { before: "0abc\0" }))).toEqual(APPLETS);
  });

  it("prefers the longest sorted run over shorter ones", () => {
    const decoy = "alpha\0beta\0gamma\0delta\0";
    expect(parseBusyboxApplets(syntheticBusybox(APPLETS, { before: decoy, after: decoy }))).toEqual(APPLETS);
  });

  it.each<[string, Uint8Array]>([
    ["empty", new Uint8Array(0)],
    ["no NULs", Buffer.from("just some text without any terminators")],
    ["a short unsorted-free run", syntheticBusybox(["cat", "ls", "sh"])],
    ["an unsorted list", Buffer.from(APPLETS.slice(2).reverse().join("\0") + "\0")],
    ["upper case names", Buffer.from(APPLETS.slice(2).map((a) => a.toUpperCase()).join("\0") + "\0")],
  ])("no table in %s", (_name, bytes) => {
    expect(parseBusyboxApplets(bytes)).toBeUndefined();
  });

  it("is linear on a large binary", () => {
    const big = new Uint8Array(BUSYBOX_CONTENT_CAP);
    const table = syntheticBusybox(APPLETS);
    big.set(table, big.length - table.length);
    const t0 = performance.now();
    expect(parseBusyboxApplets(big)).toEqual(APPLETS);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe("busyboxWantsContent", () => {
  it.each<[string, number, number]>([
    ["/bin/busybox", 1_000_000, 1_000_000],
    ["/usr/bin/busybox", BUSYBOX_CONTENT_CAP, BUSYBOX_CONTENT_CAP],
    ["/busybox", 10, 10],
    ["/bin/busybox", BUSYBOX_CONTENT_CAP + 1, 0],
    ["/bin/busybox", 0, 0],
    ["/bin/busybox.static", 1000, 0],
    ["/bin/notbusybox", 1000, 0],
    ["/bin/sh", 1000, 0],
  ])("%s (%i bytes) → %i", (path, size, want) => {
    expect(busyboxWantsContent(entry(path, size))).toBe(want);
  });
});

describe("BusyboxAppletScanner: streaming, chunk by chunk", () => {
  it("gives the whole-file result whatever the chunk size", () => {
    const bytes = syntheticBusybox(APPLETS, { before: "0abc\0" });
    for (const size of [1, 2, 3, 7, 31, 32, 33, 64, 4096]) {
      const s = new BusyboxAppletScanner();
      for (let k = 0; k < bytes.length; k += size) s.push(bytes.subarray(k, k + size));
      expect(s.result(), `chunks of ${size}`).toEqual(APPLETS);
    }
  });

  it("a name cut by the end of the file is not an applet", () => {
    const s = new BusyboxAppletScanner();
    s.push(Buffer.from(`${APPLETS.join("\0")}\0zzz`));
    expect(s.result()).toEqual(APPLETS);
  });

  it("keeps a bounded list for a crafted endless run, and still prefers the longest run", () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `a${String(i).padStart(6, "0")}`);
    const s = new BusyboxAppletScanner();
    s.push(Buffer.from(`${APPLETS.join("\0")}\0\0\xff\0${names.join("\0")}\0`, "latin1"));
    const r = s.result()!;
    expect(r.length).toBe(4096);
    expect(r[0]).toBe("a000000");
  });
});

/**
 * The rule, written plainly over the whole file: split at every NUL, a
 * token of 1..32 name bytes extends the current run when it sorts after the
 * last one, anything else ends it; the longest run wins, then the "[", "[["
 * cut and the minimum length.
 */
function reference(bytes: Uint8Array): string[] | undefined {
  let best: string[] = [];
  let run: string[] = [];
  const close = () => {
    if (run.length > best.length) best = run;
    run = [];
  };
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0) continue;
    const token = Buffer.from(bytes.subarray(start, i)).toString("latin1");
    start = i + 1;
    if (!/^[a-z0-9_.[-]{1,32}$/.test(token)) close();
    else {
      if (run.length > 0 && run[run.length - 1]! >= token) close();
      run.push(token);
    }
  }
  close();
  if (best.length === 0) return undefined;
  const open = best.indexOf("[");
  const brackets = open >= 0 && best[open + 1] === "[[";
  const names = brackets ? best.slice(open) : best;
  return names.length < 20 && !(brackets && names.length >= 3) ? undefined : names;
}

describe("BusyboxAppletScanner: the plain rule, whatever the bytes and the chunks", () => {
  // Pieces a binary is made of: names in and out of order, runs of NULs short and long
  // (the native skip), bytes no name has, a name too long, the "[", "[[" opening.
  const piece = fc.oneof(
    { arbitrary: fc.constantFrom("[", "[[", "sh", "wget", "a", "b", "zz", "a".repeat(32), "a".repeat(33), "A", "\xff", "-", "."), weight: 4 },
    { arbitrary: fc.stringMatching(/^[a-z0-9_.[-]{1,6}$/), weight: 4 },
    { arbitrary: fc.integer({ min: 1, max: 300 }).map((n) => "\0".repeat(n)), weight: 2 },
    { arbitrary: fc.integer({ min: 60_000, max: 140_000 }).map((n) => "\0".repeat(n)), weight: 1 },
    { arbitrary: fc.constant("\0"), weight: 4 },
  );
  const file = fc.array(piece, { maxLength: 120 }).map((ps) => Buffer.from(ps.join(""), "latin1"));
  const sortedTable = fc
    .uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_.-]{0,8}$/), { minLength: 18, maxLength: 60 })
    .map((names) => ["[", "[[", ...names.sort()].join("\0") + "\0");

  it("equals the plain rule, pushed whole or in chunks of any size", () => {
    fc.assert(
      fc.property(file, sortedTable, fc.nat(), fc.integer({ min: 1, max: 5000 }), (junk, table, at, chunk) => {
        const cut = at % (junk.length + 1);
        const bytes = Buffer.concat([junk.subarray(0, cut), Buffer.from(table, "latin1"), junk.subarray(cut)]);
        const want = reference(bytes);
        expect(parseBusyboxApplets(bytes)).toEqual(want);
        const s = new BusyboxAppletScanner();
        for (let k = 0; k < bytes.length; k += chunk) s.push(bytes.subarray(k, k + chunk));
        expect(s.result()).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });

  it("a file of zeros and a file with no NUL are read at memcmp speed, not byte by byte", () => {
    // 64 MiB each: byte by byte in JavaScript this took over a second. Written first, so the
    // time measured is the scanner's and not the kernel's first touch of fresh pages.
    const zeros = new Uint8Array(64 * 1024 * 1024).fill(0);
    const letters = new Uint8Array(64 * 1024 * 1024).fill(0x61);
    const t0 = performance.now();
    expect(parseBusyboxApplets(zeros)).toBeUndefined();
    expect(parseBusyboxApplets(letters)).toBeUndefined();
    expect(performance.now() - t0).toBeLessThan(500);
  });
});
