/**
 * What a package database says about the files it installed: one shape for
 * dpkg, apk and rpm, so the setuid analyzer decides ownership the same way
 * whatever the distribution.
 */

/** Digest algorithms a package database records per file and the scan can check. */
export type FileDigestAlgo = "md5" | "sha1" | "sha256";

export interface FileDigest {
  algo: FileDigestAlgo;
  /** Lower-case hex. */
  hex: string;
}

/** One package and the files it lists, as absolute paths. */
export interface PackageFiles {
  name: string;
  /**
   * `digest`: "unread" when the database records one the scan cannot check
   * (an unknown algorithm, malformed text): that must never count as no
   * digest, which falls back to weaker checks.
   */
  files: Array<{ path: string; digest?: FileDigest | "unread" | undefined; mode?: number | undefined }>;
}

/** A database file that could not be read: why, in a few words. */
export class UnreadableDatabase extends Error {
  override name = "UnreadableDatabase";
}

/** An absolute, clean path for a database entry ("usr/bin/su", "/./bin/su" → "/usr/bin/su", "/bin/su"). */
export function absolutePath(raw: string): string | undefined {
  const parts: string[] = [];
  for (const p of raw.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") return undefined; // no package lists a path that climbs: treat it as no claim at all
    parts.push(p);
  }
  return parts.length === 0 ? undefined : "/" + parts.join("/");
}

/** Strict lower-case hex of the length an algorithm gives, else undefined. */
export function hexDigest(algo: FileDigestAlgo, text: string): FileDigest | undefined {
  const len = algo === "md5" ? 32 : algo === "sha1" ? 40 : 64;
  const hex = text.toLowerCase();
  return hex.length === len && /^[0-9a-f]+$/.test(hex) ? { algo, hex } : undefined;
}
