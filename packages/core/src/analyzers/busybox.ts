/**
 * busybox: one binary, many tools (issue 3, analyzer 3). Without its applet
 * symlinks a busybox still is a shell (`busybox sh`), a downloader
 * (`busybox wget`) and so on, so its compiled-in applet list is read.
 *
 * busybox keeps applet names in `applet_names[]` (applets/applet_tables.c):
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

function validName(b: Uint8Array, start: number, end: number): boolean {
  const len = end - start;
  if (len < 1 || len > MAX_NAME) return false;
  for (let k = start; k < end; k++) if (!nameByte(b[k]!)) return false;
  return true;
}

/** strcmp on two byte ranges. */
function compare(b: Uint8Array, s1: number, e1: number, s2: number, e2: number): number {
  const n = Math.min(e1 - s1, e2 - s2);
  for (let k = 0; k < n; k++) {
    const d = b[s1 + k]! - b[s2 + k]!;
    if (d !== 0) return d;
  }
  return e1 - s1 - (e2 - s2);
}

function decode(b: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let k = start; k < end; k++) s += String.fromCharCode(b[k]!);
  return s;
}

/**
 * The applet names compiled into a busybox binary, or undefined when no
 * plausible table is found. Linear in the input; never throws.
 */
export function parseBusyboxApplets(bytes: Uint8Array): string[] | undefined {
  // Current run: token boundaries [starts[k], ends[k]).
  let starts: number[] = [];
  let ends: number[] = [];
  let best: { starts: number[]; ends: number[] } | undefined;
  const close = () => {
    if (starts.length > 0 && (best === undefined || starts.length > best.starts.length)) best = { starts, ends };
    starts = [];
    ends = [];
  };
  const n = bytes.length;
  let pos = 0;
  while (pos < n) {
    let nul = bytes.indexOf(0, pos);
    const terminated = nul >= 0;
    if (!terminated) nul = n;
    // Only NUL-terminated names belong to the table.
    if (terminated && validName(bytes, pos, nul)) {
      const last = starts.length - 1;
      if (last >= 0 && compare(bytes, starts[last]!, ends[last]!, pos, nul) >= 0) close();
      starts.push(pos);
      ends.push(nul);
    } else {
      close();
    }
    pos = nul + 1;
  }
  close();
  if (best === undefined) return undefined;
  let names = best.starts.map((s, k) => decode(bytes, s, best!.ends[k]!));
  // A preceding string that happens to sort lower ("0abc") can join the run: cut at "[", "[[".
  const open = names.indexOf("[");
  const brackets = open >= 0 && names[open + 1] === "[[";
  if (brackets) names = names.slice(open);
  if (names.length < MIN_RUN && !(brackets && names.length >= MIN_RUN_BRACKETS)) return undefined;
  return names;
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
