/**
 * Small helpers shared by the file-metadata analyzers (setuid, capabilities,
 * permissions, tools): how a file's mode and owner appear in evidence, and
 * which final entries are "regular files" for a check.
 */
import type { FileEntry } from "../types.js";
import type { FileIndex } from "../file-index.js";
import { symbolicMode } from "../file-record.js";

/** Permission bits with special bits as four octal digits: "4755" (README.md, "The JSON report"). */
export function octalMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, "0");
}

/** "uid:gid", numeric, as `ls -n` shows the owner. */
export function ownerText(e: FileEntry): string {
  return `${e.uid}:${e.gid}`;
}

export interface ModeEvidence {
  /** ls-style, "-rwsr-xr-x". */
  mode: string;
  /** "4755". */
  octal: string;
  /** "0:0". */
  owner: string;
}

export function modeEvidence(e: FileEntry): ModeEvidence {
  return { mode: symbolicMode(e.type, e.mode), octal: octalMode(e.mode), owner: ownerText(e) };
}

/**
 * True for a regular file, or a hardlink that was bound to one when applied.
 * A bound hardlink entry already carries its file's mode, owner and xattrs
 * (merge-layers.ts); an unbound one (target missing) is no file at all.
 */
export function isRegularFile(files: FileIndex, e: FileEntry): boolean {
  if (e.type === "file") return true;
  if (e.type !== "hardlink") return false;
  return files.hardlinkTarget(e)?.type === "file";
}

/** Any of the three execute bits. */
export function isExecutable(e: FileEntry): boolean {
  return (e.mode & 0o111) !== 0;
}
