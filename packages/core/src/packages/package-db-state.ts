/**
 * The streaming side of package ownership: each package database file
 * version the walk hands over (Analyzer.onContent) is parsed at once into
 * what ownership needs (paths, digests, installed names) and its bytes
 * dropped, so memory grows with the number of owned paths, not with bytes.
 * Records are keyed by the walk-time entry; ownership.ts picks the final
 * versions through ctx.origin.
 */
import type { FileEntry } from "../types.js";
import { databaseFile, type DatabaseKind } from "./database-files.js";
import { parseDpkgList, parseDpkgMd5sums, parseDpkgStatus } from "./dpkg.js";
import { parseApkInstalled } from "./apk.js";
import { parseRpmHeader } from "./rpm-header.js";
import { rpmSqliteBlobs } from "./rpm-sqlite.js";
import { rpmBdbBlobs } from "./rpm-bdb.js";
import { rpmNdbBlobs } from "./rpm-ndb.js";
import { UnreadableDatabase, type FileDigest, type PackageFiles } from "./owned-files.js";

export type ParsedDatabase =
  | { kind: "dpkg-list"; paths: string[] }
  | { kind: "dpkg-md5sums"; sums: Map<string, FileDigest> }
  | { kind: "dpkg-status" | "dpkg-status-d"; installed: Set<string> }
  | { kind: "packages"; packages: PackageFiles[] };

/** Per scan: each database version read, or why it could not be. */
export interface PackageDbState {
  read: Map<FileEntry, ParsedDatabase | string>;
}

export function createPackageDbState(): PackageDbState {
  return { read: new Map() };
}

/** Bytes to read for a database file (all of it), 0 for other files and for databases over their cap. */
export function packageDbWants(e: FileEntry): number {
  const db = databaseFile(e.path);
  return db !== undefined && e.size <= db.cap ? db.cap : 0;
}

function rpmPackages(blobs: Iterable<Uint8Array>): PackageFiles[] {
  const out: PackageFiles[] = [];
  for (const blob of blobs) out.push(parseRpmHeader(blob));
  return out;
}

function parse(kind: DatabaseKind, bytes: Uint8Array): ParsedDatabase {
  switch (kind) {
    case "dpkg-list":
      return { kind, paths: parseDpkgList(bytes) };
    case "dpkg-md5sums":
      return { kind, sums: parseDpkgMd5sums(bytes) };
    case "dpkg-status":
      return { kind, installed: parseDpkgStatus(bytes) };
    case "dpkg-status-d":
      return { kind, installed: parseDpkgStatus(bytes, false) };
    case "apk":
      return { kind: "packages", packages: parseApkInstalled(bytes) };
    case "rpm-sqlite":
      return { kind: "packages", packages: rpmPackages(rpmSqliteBlobs(bytes)) };
    case "rpm-bdb":
      return { kind: "packages", packages: rpmPackages(rpmBdbBlobs(bytes)) };
    case "rpm-ndb":
      return { kind: "packages", packages: rpmPackages(rpmNdbBlobs(bytes)) };
  }
}

/** onContent for a database file: parsed, or the reason it is unreadable. */
export function readPackageDb(e: FileEntry, bytes: Uint8Array, state: PackageDbState): void {
  const db = databaseFile(e.path);
  if (db === undefined) return;
  if (bytes.length < e.size) {
    state.read.set(e, `only ${bytes.length} of its ${e.size} bytes were read`);
    return;
  }
  try {
    state.read.set(e, parse(db.kind, bytes));
  } catch (err) {
    // A DataView read past a hostile length throws RangeError: the same verdict, unreadable.
    if (err instanceof UnreadableDatabase || err instanceof RangeError) state.read.set(e, err.message);
    else throw err;
  }
}

export function copyPackageDb(copy: FileEntry, original: FileEntry, state: PackageDbState): void {
  const r = state.read.get(original);
  if (r !== undefined) state.read.set(copy, r);
}
