/**
 * busybox: one binary, many tools. Without its applet
 * symlinks a busybox still is a shell (`busybox sh`), a downloader
 * (`busybox wget`) and so on, so its compiled-in applet list is read.
 *
 * busybox keeps applet names in `applet_names[]`
 * (https://git.busybox.net/busybox/tree/applets/applet_tables.c):
 * one contiguous run of NUL-terminated names, sorted with strcmp so the
 * binary can bsearch them, usually starting "[\0[[\0". We take the longest
 * such run of short lowercase names in strictly increasing byte order,
 * which needs no ELF parsing and survives stripped and static builds.
 */
import type { FileEntry } from "../types.js";
import type { FileIndex } from "../file-index.js";
import { basename } from "../paths.js";
import { isExecutable, isRegularFile } from "./mode-text.js";

export const BUSYBOX = "busybox";

/** Largest busybox read whole (real builds are 0.8–2.5 MiB). */
export const BUSYBOX_CONTENT_CAP = 4 * 1024 * 1024;

/**
 * busybox bytes the applet scanner reads per scan, all files together:
 * sixteen binaries at the read cap, twenty-five or more real ones (1-2.5
 * MiB). The scanner reads a real busybox at several hundred MiB/s, but a
 * crafted file of short names ("a\0a\0…") costs it a string every two bytes
 * (about 70 MiB/s), and an image can hold a thousand such files in a few
 * megabytes. Past it a busybox's applets are not read, and the tools
 * analyzer fails closed on it (tools-undetermined).
 */
export const BUSYBOX_SCAN_BUDGET = 64 * 1024 * 1024;

/** Fewest names in a run accepted without the "[", "[[" opening. */
const MIN_RUN = 20;
/** A run that opens with "[", "[[" is the applet table even in a tiny build. */
const MIN_RUN_BRACKETS = 3;
const MAX_NAME = 32;

/** wantsContent for busybox: the whole file, when it is small enough. Cheap. */
export function busyboxWantsContent(e: FileEntry): number {
  if (e.size === 0 || e.size > BUSYBOX_CONTENT_CAP) return 0;
  return e.path.endsWith("/busybox") ? e.size : 0;
}

/** 1 for the bytes an applet name has: [a-z0-9_.[-]. */
const NAME_BYTE = new Uint8Array(256);
for (let c = 97; c <= 122; c++) NAME_BYTE[c] = 1;
for (let c = 48; c <= 57; c++) NAME_BYTE[c] = 1;
for (const c of "_.[-") NAME_BYTE[c.charCodeAt(0)] = 1;

/**
 * Names kept per run. Real tables hold 300-400 applets; a crafted run of
 * sorted names is still counted past this, so the longest run wins, but
 * memory stays bounded by this list, not by the binary.
 */
const MAX_KEPT = 4096;

const ZEROS = new Uint8Array(64 * 1024);

/**
 * The first index at or after `pos` whose byte is not 0 (or the end). Runs
 * of NULs are most of a binary's padding and all of a file of zeros: they
 * are compared a block at a time by memcmp (Buffer.compare), not byte by
 * byte in JavaScript.
 */
function skipZeros(b: Uint8Array, pos: number): number {
  const n = b.length;
  const near = Math.min(n, pos + 64);
  while (pos < near) {
    if (b[pos] !== 0) return pos;
    pos++;
  }
  for (let size = ZEROS.length; size >= 64; size >>= 4) {
    const zeros = ZEROS.subarray(0, size);
    while (pos + size <= n && Buffer.compare(b.subarray(pos, pos + size), zeros) === 0) pos += size;
  }
  while (pos < n && b[pos] === 0) pos++;
  return pos;
}

/** Bytes [start, end) as a string; they are ASCII name bytes. */
function ascii(b: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let k = start; k < end; k++) s += String.fromCharCode(b[k]!);
  return s;
}

/**
 * Finds the applet table as bytes arrive, chunk by chunk, holding only the
 * current and the best run of names (and at most MAX_NAME bytes of a name
 * cut by a chunk boundary): a busybox is never retained whole. The result
 * equals a parse of the whole file.
 *
 * One pass, one table lookup per byte; a string is made only for a byte
 * run that is a whole name (a few thousand in a real busybox), and runs of
 * NULs are skipped natively, so a file of zeros costs a memcmp.
 */
export class BusyboxAppletScanner {
  /** Length of the token being read, its carried part included; -1 once it cannot be a name. */
  private len = 0;
  /** The part of the token that arrived in earlier chunks. */
  private head = "";
  private run: string[] = [];
  private runLength = 0;
  private lastName: string | undefined;
  private best: string[] = [];
  private bestLength = 0;

  push(bytes: Uint8Array): void {
    const n = bytes.length;
    let len = this.len;
    let i = 0;
    while (i < n) {
      const c = bytes[i]!;
      i++;
      if (c !== 0) {
        if (len >= 0 && len < MAX_NAME && NAME_BYTE[c] === 1) len++;
        else {
          // Not a name: on to the next NUL, found natively.
          len = -1;
          const nul = bytes.indexOf(0, i);
          i = nul < 0 ? n : nul;
        }
        continue;
      }
      if (len > 0) this.name(bytes, i - 1, len);
      else {
        // An empty token or one that is no name ends the run; so does every NUL of a run of them.
        if (this.runLength > 0) this.close();
        this.head = "";
        if (len === 0 && i < n && bytes[i] === 0) i = skipZeros(bytes, i);
      }
      len = 0;
    }
    if (len > 0) {
      const own = len - this.head.length;
      this.head += ascii(bytes, n - Math.min(own, n), n);
    } else this.head = "";
    this.len = len;
  }

  /** A NUL at `end` ended a token of `len` name bytes: extend the run, or start a new one. */
  private name(bytes: Uint8Array, end: number, len: number): void {
    let name = ascii(bytes, end - (len - this.head.length), end);
    if (this.head !== "") {
      name = this.head + name;
      this.head = "";
    }
    // strcmp order: the names are ASCII, where code-unit order is byte order.
    if (this.lastName !== undefined && this.lastName >= name) this.close();
    if (this.runLength < MAX_KEPT) this.run.push(name);
    this.runLength++;
    this.lastName = name;
  }

  private close(): void {
    if (this.runLength > this.bestLength) {
      this.best = this.run;
      this.bestLength = this.runLength;
    }
    this.run = [];
    this.runLength = 0;
    this.lastName = undefined;
  }

  /** The applet names, or undefined when no plausible table was seen. A name cut by the end is not one. */
  result(): string[] | undefined {
    this.len = 0;
    this.head = "";
    this.close();
    if (this.bestLength === 0) return undefined;
    let names = this.best;
    // A preceding string that happens to sort lower ("0abc") can join the run: cut at "[", "[[".
    const open = names.indexOf("[");
    const brackets = open >= 0 && names[open + 1] === "[[";
    if (brackets) names = names.slice(open);
    if (names.length < MIN_RUN && !(brackets && names.length >= MIN_RUN_BRACKETS)) return undefined;
    return names;
  }
}

/**
 * The applet names compiled into a busybox binary, or undefined when no
 * plausible table is found. Linear in the input; never throws.
 */
export function parseBusyboxApplets(bytes: Uint8Array): string[] | undefined {
  const s = new BusyboxAppletScanner();
  s.push(bytes);
  return s.result();
}

/**
 * Executable busybox binaries in the final image, anywhere: regular files
 * and bound hardlinks named "busybox" (symlinks named busybox lead to one of
 * these, or to nothing).
 */
export function findBusyboxBinaries(files: FileIndex): FileEntry[] {
  return files.byBasename(BUSYBOX).filter((e) => isRegularFile(files, e) && isExecutable(e));
}

/** True when a resolved real file is a busybox binary. */
export function isBusyboxFile(e: FileEntry): boolean {
  return basename(e.path) === BUSYBOX;
}
