import type { FileEntry, FileType } from "./types.js";

/** The xattr holding a file's capabilities (linux/include/uapi/linux/xattr.h XATTR_NAME_CAPS). */
const CAPABILITY_XATTR = "security.capability";
/** A symlink's permission bits on Linux: always rwxrwxrwx (there is no lchmod). */
const SYMLINK_PERMS = 0o777;

/** One line of `layerlint files --format json`: fixed field names. */
export interface FileRecord {
  path: string;
  type: FileType;
  /** Permission bits with special bits, octal: "4755". A symlink's are always "0777". */
  mode: string;
  uid: number;
  gid: number;
  size: number;
  link?: string;
  /**
   * The raw `security.capability` xattr as lowercase hex (e.g. a v2 value is
   * 40 hex digits), when the file has one: what getxattr returns on the
   * unpacked rootfs. Every name of a hardlinked inode shows the inode's.
   */
  capability?: string;
  layer: number;
}

export function fileRecord(e: FileEntry): FileRecord {
  const r: FileRecord = {
    path: e.path,
    type: e.type,
    mode: (e.type === "symlink" ? SYMLINK_PERMS : e.mode).toString(8).padStart(4, "0"),
    uid: e.uid,
    gid: e.gid,
    size: e.size,
  } as FileRecord;
  // Key order as documented: link and capability (when any) before layer.
  if (e.linkTarget !== undefined) r.link = e.linkTarget;
  const cap = e.xattrs?.[CAPABILITY_XATTR];
  if (cap !== undefined) r.capability = Buffer.from(cap.buffer, cap.byteOffset, cap.byteLength).toString("hex");
  r.layer = e.layer;
  return r;
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
