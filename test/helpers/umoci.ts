/**
 * umoci as an independent reference for the merged filesystem (an
 * independent peer check): it unpacks an OCI layout into a real rootfs,
 * applying whiteouts and opaque dirs itself, and we compare that tree,
 * read back with lstat, with `layerlint files --format json`.
 */
import { spawn } from "node:child_process";
import { lstatSync, readdirSync, readlinkSync, type Stats } from "node:fs";
import type { FileRecord } from "../../packages/core/src/file-record.js";

/** `umoci unpack --image LAYOUT:REF BUNDLE` (root: no --rootless). */
export function umociUnpack(layout: string, ref: string, bundle: string): Promise<void> {
  const args = ["unpack", ...(process.getuid?.() === 0 ? [] : ["--rootless"]), "--image", `${layout}:${ref}`, bundle];
  return new Promise((resolve, reject) => {
    const child = spawn("umoci", args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => out.push(c));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`umoci ${args.join(" ")} exited ${code}: ${Buffer.concat(out).toString("utf8").trim()}`)),
    );
  });
}

export type DiskType = "file" | "dir" | "symlink" | "char" | "block" | "fifo" | "socket";

export interface DiskEntry {
  path: string; // absolute inside the rootfs: "/usr/bin/su"
  type: DiskType;
  /** Permission bits incl. setuid/setgid/sticky, as `files` prints them ("4755"). */
  mode: string;
  uid: number;
  gid: number;
  size: number;
  link?: string;
  ino: number;
  nlink: number;
}

export function octalMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, "0");
}

function diskType(st: Stats): DiskType {
  if (st.isFile()) return "file";
  if (st.isDirectory()) return "dir";
  if (st.isSymbolicLink()) return "symlink";
  if (st.isCharacterDevice()) return "char";
  if (st.isBlockDevice()) return "block";
  if (st.isFIFO()) return "fifo";
  return "socket";
}

/** Every entry under `root` (root itself excluded), by lstat, never following links. */
export function walkTree(root: string): Map<string, DiskEntry> {
  const out = new Map<string, DiskEntry>();
  const visit = (rel: string): void => {
    for (const name of readdirSync(`${root}${rel}`)) {
      const path = `${rel}/${name}`;
      const st = lstatSync(`${root}${path}`);
      const type = diskType(st);
      const e: DiskEntry = { path, type, mode: octalMode(st.mode), uid: st.uid, gid: st.gid, size: st.size, ino: st.ino, nlink: st.nlink };
      if (type === "symlink") e.link = readlinkSync(`${root}${path}`);
      out.set(path, e);
      if (type === "dir") visit(path);
    }
  };
  visit("");
  return out;
}

/** A record of `layerlint files --format json` (README.md, "The JSON report"): core's own type. */
export type FilesRecord = FileRecord;

/**
 * Every disagreement between layerlint's final filesystem and the unpacked
 * tree, one precise line each ("path: field ours=… umoci=…"). Mapping:
 * - a `hardlink` is a regular file on disk sharing its target's inode, with
 *   the target's size and mode;
 * - a directory's size is 0 on our side; the disk's block size is ignored;
 * - a symlink's size is 0 on our side (the tar header's); on disk it is the
 *   target's length, so the link text is compared instead.
 */
export function compareTrees(ours: readonly FilesRecord[], disk: ReadonlyMap<string, DiskEntry>): string[] {
  const problems: string[] = [];
  const byPath = new Map(ours.map((r) => [r.path, r]));
  if (byPath.size !== ours.length) problems.push(`layerlint listed ${ours.length - byPath.size} duplicate path(s)`);
  for (const [path] of disk) {
    if (!byPath.has(path)) problems.push(`${path}: on disk (umoci) but not in layerlint files`);
    if (path.split("/").some((c) => c.startsWith(".wh."))) problems.push(`${path}: umoci left a whiteout file`);
  }
  const field = (path: string, name: string, a: unknown, b: unknown) => {
    if (a !== b) problems.push(`${path}: ${name} layerlint=${JSON.stringify(a)} umoci=${JSON.stringify(b)}`);
  };
  for (const r of ours) {
    if (r.path === "/") continue; // umoci creates the root itself
    const d = disk.get(r.path);
    if (d === undefined) {
      problems.push(`${r.path}: in layerlint files (${r.type}) but not on disk (umoci)`);
      continue;
    }
    field(r.path, "type", r.type === "hardlink" ? "file" : r.type, d.type);
    field(r.path, "mode", r.mode, d.mode);
    field(r.path, "uid", r.uid, d.uid);
    field(r.path, "gid", r.gid, d.gid);
    if (r.type === "file" || r.type === "hardlink") field(r.path, "size", r.size, d.size);
    else field(r.path, "size", r.size, 0);
    if (r.type === "symlink") field(r.path, "link", r.link, d.link);
    if (r.type === "hardlink") {
      if (r.link === undefined) problems.push(`${r.path}: hardlink without a link target`);
      const target = r.link === undefined ? undefined : byPath.get(r.link);
      const dt = r.link === undefined ? undefined : disk.get(r.link);
      // The target may be gone from the final tree (whited out later): the inode survives.
      if (target !== undefined && dt !== undefined) {
        if (dt.ino !== d.ino) problems.push(`${r.path}: hardlink to ${r.link}, but on disk (umoci) its inode ${d.ino} is not the target's ${dt.ino}`);
        field(r.path, `mode (= target ${r.link})`, target.mode, d.mode);
        field(r.path, `size (= target ${r.link})`, target.size, d.size);
      } else if (target !== undefined || dt !== undefined) {
        problems.push(`${r.path}: hardlink target ${r.link} present on one side only (layerlint=${target !== undefined} umoci=${dt !== undefined})`);
      }
    }
  }
  return problems;
}
