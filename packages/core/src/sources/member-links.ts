import path from "node:path";
import { LayerlintError } from "../errors.js";
import { canonicalPath } from "../paths.js";

/** What a member of an outer archive is, as far as finding a document or a blob goes. */
export interface MemberLink {
  kind: "file" | "symlink" | "hardlink" | "other";
  linkname: string;
}

/**
 * The regular file member `rel` names, following symlink members (docker
 * save stores a repeated layer as a link to its first copy) and hardlink
 * members, loop-safe; undefined when there is none. The names come from
 * untrusted documents (manifest.json): one that climbs out names nothing in
 * the archive and is an error.
 */
export function resolveMember<M>(
  members: ReadonlyMap<string, M>,
  linkOf: (m: M) => MemberLink,
  rel: string,
  location: string,
): M | undefined {
  let name = normaliseMember(rel);
  if (canonicalPath(name) === null) {
    throw new LayerlintError("ARCHIVE_INVALID", `${location}: ${rel} points outside the archive`);
  }
  for (let hops = 0; hops < 16; hops++) {
    const m = members.get(name);
    if (m === undefined) return undefined;
    const l = linkOf(m);
    if (l.kind === "file") return m;
    if (l.kind === "hardlink") {
      const t = members.get(normaliseMember(l.linkname));
      return t !== undefined && linkOf(t).kind === "file" ? t : undefined;
    }
    if (l.kind !== "symlink") return undefined;
    const target = path.posix.normalize(l.linkname.startsWith("/") ? l.linkname : path.posix.join(path.posix.dirname(name), l.linkname));
    if (target.startsWith("../") || target === "..") {
      throw new LayerlintError("ARCHIVE_INVALID", `${location}: ${rel} links outside the archive`);
    }
    name = normaliseMember(target);
  }
  throw new LayerlintError("ARCHIVE_INVALID", `${location}: ${rel}: symlink loop`);
}

export function normaliseMember(name: string): string {
  let n = name;
  while (n.startsWith("./")) n = n.slice(2);
  while (n.startsWith("/")) n = n.slice(1);
  while (n.endsWith("/")) n = n.slice(0, -1);
  return n;
}
