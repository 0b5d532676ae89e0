/**
 * The stock setuid/setgid set of a distribution: the account and mount tools
 * Debian, Ubuntu and Fedora base images ship with the bit set (shadow's
 * passwd, chfn, chsh, gpasswd, newgrp, chage, expiry; util-linux's su,
 * mount, umount; PAM's unix_chkpwd: a debootstrap'd Debian 12 has exactly
 * these eleven), and Alpine's bbsuid, the setuid helper through which
 * busybox runs su and passwd when the busybox-suid package is installed. dockle reports them together as one checkpoint with a
 * file list (CIS-DI-0008,
 * https://github.com/goodwithtech/dockle/blob/master/CHECKPOINT.md#cis-di-0008);
 * so does layerlint, when the image's package database shows they are the
 * files the distribution installed.
 *
 * A file is stock only when every check below passes; anything else keeps
 * its own setuid-binary / setgid-binary finding (fail closed):
 * - its name is one of STOCK_NAMES, in /bin, /sbin, /usr/bin or /usr/sbin;
 * - it is owned by root and not writable by its group or others;
 * - an installed package's file list claims it (dpkg .list / status.d
 *   md5sums, apk installed, rpm database), read whole;
 * - its content is the package's: the digest the database records (dpkg
 *   md5sums, apk Z:, rpm FILEDIGESTS) matches the file's bytes;
 * - it was not rewritten after the package installed it: for dpkg, whose
 *   per-package .list is rewritten with the package's files, the file and
 *   its .list come from the same layer (so a later `chmod u+s` or a binary
 *   replaced without dpkg is caught, digest or not); apk and rpm keep one
 *   database for all packages, rewritten by every install, so there the
 *   file's setuid/setgid bits must be the ones the database records for it
 *   (apk `a:`, rpm FILEMODES), and without a digest the file must come
 *   from the database's own layer.
 *
 * An image's author writes its package database too: a forged list can
 * claim any path. That is why only these names, in these directories, can
 * ever be lowered, and why a claimed file outside them keeps its severity.
 */
import { createHash } from "node:crypto";
import type { FileEntry } from "../types.js";
import { basename, parentOf } from "../paths.js";
import type { Owner } from "../packages/ownership.js";
import type { FileDigestAlgo } from "../packages/owned-files.js";

export const STOCK_NAMES: ReadonlySet<string> = new Set([
  "passwd",
  "su",
  "mount",
  "umount",
  "chfn",
  "chsh",
  "gpasswd",
  "newgrp",
  "chage",
  "expiry",
  "unix_chkpwd",
  "bbsuid",
]);
export const STOCK_DIRS: ReadonlySet<string> = new Set(["/bin", "/sbin", "/usr/bin", "/usr/sbin"]);

/** Stock binaries are well under 1 MiB; a larger file with a stock name is not read and so not stock. */
const HASH_CAP = 8 * 1024 * 1024;

export type FileHashes = Readonly<Record<FileDigestAlgo, string>>;

/** Content to read for a walk-time entry: setuid/setgid files with a stock name, to check their digest. */
export function stockHashWants(e: FileEntry): number {
  return (e.mode & 0o6000) !== 0 && e.size <= HASH_CAP && STOCK_NAMES.has(basename(e.path)) ? HASH_CAP : 0;
}

/** A stock-named final file worth reading whole to check its digest. */
export function needsHash(e: FileEntry): boolean {
  return hasStockName(e) && e.uid === 0 && e.size <= HASH_CAP;
}

export function hashesOf(bytes: Uint8Array): FileHashes {
  const h = (algo: string) => createHash(algo).update(bytes).digest("hex");
  return { md5: h("md5"), sha1: h("sha1"), sha256: h("sha256") };
}

export function hasStockName(e: FileEntry): boolean {
  return STOCK_NAMES.has(basename(e.path)) && STOCK_DIRS.has(parentOf(e.path));
}

/** How a stock file's content was tied to its package. */
export type Verified = "digest" | "layer";

/**
 * Why `e` (final entry) is not stock, or how it was verified. `hashes`: of
 * its content when read whole; `contentLayer`: the layer that wrote its bytes.
 */
export function stockVerdict(
  e: FileEntry,
  owner: Owner | undefined,
  unknown: readonly string[],
  hashes: FileHashes | undefined,
  contentLayer: number,
): { stock: true; verified: Verified } | { stock: false; reason: string } {
  if (!hasStockName(e)) return { stock: false, reason: "not a stock name and directory" };
  if (e.uid !== 0) return { stock: false, reason: `owned by uid ${e.uid}, not root` };
  if ((e.mode & 0o022) !== 0) return { stock: false, reason: "writable by its group or others" };
  if (owner === undefined) {
    const why = unknown.length > 0 ? `package ownership unknown (${unknown.slice(0, 2).join("; ")})` : "no installed package lists it";
    return { stock: false, reason: why };
  }
  const special = e.mode & 0o6000;
  if (owner.format !== "dpkg" && (owner.mode === undefined || (owner.mode & 0o6000) !== special)) {
    return { stock: false, reason: `its setuid/setgid bits are not the ones ${owner.pkg}'s database records` };
  }
  if (owner.format === "dpkg" && contentLayer !== owner.dbLayer) {
    return { stock: false, reason: `written by layer ${contentLayer}, not by layer ${owner.dbLayer} that wrote ${owner.db}` };
  }
  const d = owner.digest;
  if (d === "unread") return { stock: false, reason: `${owner.pkg}'s file digests could not be read` };
  if (d !== undefined) {
    if (hashes === undefined) return { stock: false, reason: "its content was not read to check its digest" };
    if (hashes[d.algo] !== d.hex) return { stock: false, reason: `its content does not match the ${d.algo} digest ${owner.pkg}'s database records` };
    return { stock: true, verified: "digest" };
  }
  if (contentLayer !== owner.dbLayer) {
    return { stock: false, reason: `written by layer ${contentLayer}, not by layer ${owner.dbLayer} that wrote ${owner.db}` };
  }
  return { stock: true, verified: "layer" };
}
