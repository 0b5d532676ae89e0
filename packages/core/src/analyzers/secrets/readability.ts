/**
 * Who can read a file ("permissions matter"): "world" needs o+r
 * on the file and o+x on every parent directory; "group" needs g+r on the
 * file and every parent searchable by group or others. A parent missing from
 * the index counts as the implied 0755 root:root directory (merge-layers.ts).
 * Reads of the final index only: a shadowed file is judged by the final
 * parents, the closest thing to where it would sit if extracted.
 */
import type { FileEntry } from "../../types.js";
import type { FileIndex } from "../../file-index.js";
import { IMPLIED_DIR_MODE } from "../../merge-layers.js";
import { parentOf } from "../../paths.js";
import { octalMode, ownerText } from "../mode-text.js";

export type ReadableBy = "world" | "group" | "owner";

export interface Readability {
  readableBy: ReadableBy;
  /** Octal permission bits, "0644" (README.md, "The JSON report"). */
  mode: string;
  /** "uid:gid". */
  owner: string;
}

export function readability(files: FileIndex, e: FileEntry): Readability {
  let worldPath = true;
  let groupPath = true;
  for (let dir = parentOf(e.path); ; dir = parentOf(dir)) {
    const d = files.get(dir);
    const mode = d?.type === "dir" ? d.mode : IMPLIED_DIR_MODE;
    if ((mode & 0o001) === 0) worldPath = false;
    if ((mode & 0o011) === 0) groupPath = false;
    if (dir === "/") break;
  }
  const readableBy: ReadableBy =
    e.mode & 0o004 && worldPath ? "world" : e.mode & 0o040 && groupPath ? "group" : "owner";
  return {
    readableBy,
    mode: octalMode(e.mode),
    owner: ownerText(e),
  };
}
