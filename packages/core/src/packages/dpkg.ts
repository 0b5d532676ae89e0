/**
 * dpkg's database (deb-control(5), dpkg(1) FILES): `/var/lib/dpkg/status`
 * lists the packages and their state, `/var/lib/dpkg/info/<pkg>.list` the
 * paths each installed, `<pkg>.md5sums` the MD5 of each regular file
 * (relative paths, "HEX  path"). Distroless images have no status file nor
 * lists: one stanza per file in `/var/lib/dpkg/status.d/` and the md5sums
 * beside it (https://github.com/GoogleContainerTools/distroless, as syft and
 * trivy read them).
 */
import { absolutePath, hexDigest, UnreadableDatabase, type FileDigest } from "./owned-files.js";

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
}

/** `<pkg>.list`: one absolute path per line ("/." is the root). */
export function parseDpkgList(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (const line of text(bytes).split("\n")) {
    const p = absolutePath(line.replace(/\r$/, ""));
    if (p !== undefined) out.push(p);
  }
  return out;
}

/** `<pkg>.md5sums`: "HEX  relative/path" lines, as md5sum(1) writes them. */
export function parseDpkgMd5sums(bytes: Uint8Array): Map<string, FileDigest> {
  const out = new Map<string, FileDigest>();
  for (const line of text(bytes).split("\n")) {
    const m = /^([0-9A-Fa-f]{32}) [ *](.+)$/.exec(line.replace(/\r$/, ""));
    if (m === null) continue;
    const p = absolutePath(m[2]!);
    const d = hexDigest("md5", m[1]!);
    if (p !== undefined && d !== undefined) out.set(p, d);
  }
  return out;
}

/**
 * Installed packages in a status file (or a status.d stanza file): by name
 * and by name:arch, the two forms `.list` files are named by. `requireStatus`
 * false for status.d, whose stanzas have no Status field (each file is an
 * installed package).
 */
export function parseDpkgStatus(bytes: Uint8Array, requireStatus = true): Set<string> {
  const installed = new Set<string>();
  const s = text(bytes);
  if (s.includes("\0")) throw new UnreadableDatabase("not a text file");
  for (const stanza of s.split(/\n[ \t]*\r?\n/)) {
    let name: string | undefined;
    let arch: string | undefined;
    let status: string | undefined;
    for (const line of stanza.split("\n")) {
      const m = /^([A-Za-z0-9-]+):[ \t]*(.*?)\r?$/.exec(line);
      if (m === null) continue;
      const field = m[1]!.toLowerCase();
      if (field === "package") name = m[2];
      else if (field === "architecture") arch = m[2];
      else if (field === "status") status = m[2];
    }
    if (name === undefined || name === "") continue;
    // "want flag status": only "installed" has its files on disk (dpkg-query(1), db-Status-Abbrev).
    if (requireStatus && status?.trim().split(/\s+/)[2] !== "installed") continue;
    installed.add(name);
    if (arch !== undefined && arch !== "") installed.add(`${name}:${arch}`);
  }
  return installed;
}
