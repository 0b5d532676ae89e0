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

/** [a-z0-9_.[-] */
function nameByte(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 91 || c === 45;
}

/**
 * Names kept per run. Real tables hold 300-400 applets; a crafted run of
 * sorted names is still counted past this, so the longest run wins, but
 * memory stays bounded by this list, not by the binary.
 */
const MAX_KEPT = 4096;

/**
 * Finds the applet table as bytes arrive, chunk by chunk, holding only the
 * current and the best run of names (and at most MAX_NAME bytes of a name
 * cut by a chunk boundary): a busybox is never retained whole. The result
 * equals a parse of the whole file.
 */
export class BusyboxAppletScanner {
  /** Bytes of the token being read (a name is at most MAX_NAME bytes). */
  private token = "";
  /** The token already holds a byte that no name has, or is too long. */
  private invalid = false;
  private run: string[] = [];
  private runLength = 0;
  private lastName: string | undefined;
  private best: string[] = [];
  private bestLength = 0;

  push(bytes: Uint8Array): void {
    const n = bytes.length;
    let pos = 0;
    while (pos < n) {
      let nul = bytes.indexOf(0, pos);
      const end = nul < 0 ? n : nul;
      if (!this.invalid) {
        if (this.token.length + end - pos > MAX_NAME) this.invalid = true;
        else {
          for (let k = pos; k < end; k++) {
            const c = bytes[k]!;
            if (!nameByte(c)) {
              this.invalid = true;
              break;
            }
            this.token += String.fromCharCode(c);
          }
        }
      }
      if (nul < 0) return;
      this.endToken();
      pos = nul + 1;
    }
  }

  /** A NUL ended the token: extend the run, or close it. */
  private endToken(): void {
    const name = this.token;
    const valid = !this.invalid && name.length > 0;
    this.token = "";
    this.invalid = false;
    if (!valid) return this.close();
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
    this.token = "";
    this.invalid = false;
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
