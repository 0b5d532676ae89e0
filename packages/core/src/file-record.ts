import type { FileEntry, FileType } from "./types.js";

/** One line of `layerlint files --format json` (DESIGN.md §3): fixed field names. */
export interface FileRecord {
  path: string;
  type: FileType;
  /** Permission bits with special bits, octal: "4755". */
  mode: string;
  uid: number;
  gid: number;
  size: number;
  link?: string;
  layer: number;
}

export function fileRecord(e: FileEntry): FileRecord {
  const base = {
    path: e.path,
    type: e.type,
    mode: e.mode.toString(8).padStart(4, "0"),
    uid: e.uid,
    gid: e.gid,
    size: e.size,
  };
  // Key order as documented: link (when any) before layer.
  return e.linkTarget === undefined ? { ...base, layer: e.layer } : { ...base, link: e.linkTarget, layer: e.layer };
}

const typeChar: Record<FileType, string> = {
  file: "-",
  dir: "d",
  symlink: "l",
  hardlink: "-",
  char: "c",
  block: "b",
  fifo: "p",
};

/** `-rwsr-xr-x` from a type and permission bits, as ls prints it. */
export function symbolicMode(type: FileType, mode: number): string {
  const bit = (m: number, c: string) => (mode & m ? c : "-");
  const special = (exec: number, flag: number, on: string, off: string) =>
    mode & flag ? (mode & exec ? on : off) : bit(exec, "x");
  return (
    typeChar[type] +
    bit(0o400, "r") + bit(0o200, "w") + special(0o100, 0o4000, "s", "S") +
    bit(0o040, "r") + bit(0o020, "w") + special(0o010, 0o2000, "s", "S") +
    bit(0o004, "r") + bit(0o002, "w") + special(0o001, 0o1000, "t", "T")
  );
}
