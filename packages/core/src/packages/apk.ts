/**
 * apk's installed database, `lib/apk/db/installed`: stanzas of `X:value`
 * lines separated by blank lines; `P:` the package name, `F:` a directory
 * (relative to /), `R:` a file in the last `F:`, `Z:` that file's checksum,
 * "Q1" + base64 of its SHA-1, `a:` its "uid:gid:mode" (octal) when not
 * the default (https://wiki.alpinelinux.org/wiki/Apk_spec). A file without
 * `a:` has its archive's plain mode: no setuid or setgid bit, recorded
 * here as 0o755 for that comparison.
 */
import { absolutePath, UnreadableDatabase, type FileDigest, type PackageFiles } from "./owned-files.js";

/** A `Z:` checksum: `Q1` + base64 SHA-1; any other form is recorded but not checkable ("unread"). */
function q1Digest(value: string): FileDigest | "unread" {
  if (!value.startsWith("Q1")) return "unread";
  const raw = Buffer.from(value.slice(2), "base64");
  return raw.length === 20 ? { algo: "sha1", hex: raw.toString("hex") } : "unread";
}

export function parseApkInstalled(bytes: Uint8Array): PackageFiles[] {
  const s = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  if (s.includes("\0")) throw new UnreadableDatabase("not a text file");
  const out: PackageFiles[] = [];
  let pkg: PackageFiles | undefined;
  let dir = "";
  let last: PackageFiles["files"][number] | undefined;
  for (const raw of s.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (line === "") {
      pkg = undefined;
      last = undefined;
      dir = "";
      continue;
    }
    if (line.length < 2 || line[1] !== ":") continue;
    const key = line[0];
    const value = line.slice(2);
    if (key === "P") {
      pkg = { name: value, files: [] };
      out.push(pkg);
      dir = "";
      last = undefined;
    } else if (pkg === undefined) {
      continue; // fields before the stanza's P: line name no package: nothing can be owned by them
    } else if (key === "F") {
      dir = value;
      last = undefined;
    } else if (key === "R") {
      const p = absolutePath(`${dir}/${value}`);
      last = p === undefined ? undefined : { path: p, mode: 0o755 };
      if (last !== undefined) pkg.files.push(last);
    } else if (key === "Z" && last !== undefined) {
      last.digest = q1Digest(value);
    } else if (key === "a" && last !== undefined) {
      const m = /^\d+:\d+:([0-7]{1,6})$/.exec(value);
      last.mode = m === null ? undefined : parseInt(m[1]!, 8);
    }
  }
  return out;
}
