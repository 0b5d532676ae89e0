/**
 * LayerBuilder: turns one layer's tar headers, in stream order, into a
 * LayerIndex (metadata only). The tar walker owns the stream; this owns the
 * meaning of each name.
 *
 *   const b = new LayerBuilder(layerIndex);
 *   for each header h: b.add(h)   // "entry" | "whiteout" | "opaque" | "ignored" | "unsafe"
 *                      b.last()   // after "entry": the FileEntry just added
 *   const index = b.finish({ entries, files, tarBytes }, contents);
 *
 * Decisions (SPECS.md §6, image-spec layer.md):
 * - Names are canonicalised (paths.ts); a ".." component → unsafe "path-escape",
 *   and the entry never enters the tree.
 * - `.wh..wh..opq` marks its parent directory opaque; other `.wh..wh.*` names
 *   (AUFS metadata, e.g. `.wh..wh.plnk`) and anything under `/.wh..wh.*` are
 *   ignored and counted, as moby does. `.wh.<name>` whites out parent/<name>;
 *   `.wh.`, `.wh..`, `.wh...` → unsafe "invalid-whiteout" (layer.md: SHOULD
 *   error; containerd validateWhiteout rejects the same three). The tar type of
 *   a whiteout is not checked, like containerd and moby.
 * - Hardlink linknames are canonicalised the same way (relative to the archive
 *   root, layer.md); ".." → unsafe "link-escape", entry dropped. Symlink
 *   targets are kept exactly as stored.
 * - GNU sparse (`S`) or PAX sparse → unsafe "sparse" (layer.md: SHOULD NOT),
 *   but the entry is kept as a regular file so analyzers still see it.
 *   Contiguous (`7`) is a regular file. Unknown typeflags → "unsupported-type",
 *   dropped. A non-directory named "/" (e.g. "./" typed as a file) → "path-escape".
 * - Duplicate paths (layer.md: MUST NOT) are listed in `duplicates`; all
 *   copies stay in `entries` in stream order, so mergeLayers lets the last one
 *   win as tar extraction does and records the earlier ones as shadowed.
 */
import type { FileEntry, FileType, UnsafeEntry } from "./types.js";
import type { LayerIndex } from "./layer-index.js";
import type { TarHeader } from "./tar/tar-header.js";
import { basename, canonicalPath, joinPath, parentOf } from "./paths.js";

export const WHITEOUT_PREFIX = ".wh.";
export const OPAQUE_MARKER = ".wh..wh..opq";
export const AUFS_META_PREFIX = ".wh..wh.";

export type AddResult = "entry" | "whiteout" | "opaque" | "ignored" | "unsafe";

function fileType(h: TarHeader): FileType | undefined {
  switch (h.type) {
    case "file":
    case "contiguous":
    case "gnu-sparse":
      return "file";
    case "hardlink":
    case "symlink":
    case "char":
    case "block":
    case "dir":
    case "fifo":
      return h.type;
    default:
      return undefined;
  }
}

function hasKeys(o: Record<string, unknown>): boolean {
  for (const _ in o) return true;
  return false;
}

export class LayerBuilder {
  /** `.wh..wh.*` AUFS metadata entries skipped (not whiteouts, not files). */
  aufsMetaIgnored = 0;
  private readonly entries: FileEntry[] = [];
  private readonly whiteouts: string[] = [];
  private readonly opaqueDirs: string[] = [];
  private readonly unsafe: UnsafeEntry[] = [];
  private readonly seen = new Set<string>();
  private readonly duplicates = new Set<string>();

  constructor(readonly index: number) {}

  add(h: TarHeader): AddResult {
    const path = canonicalPath(h.name);
    if (path === null) return this.reject(h, "path-escape", "'..' component in entry name");
    const base = basename(path);
    if (base.startsWith(WHITEOUT_PREFIX)) return this.addWhiteout(h, path, base);
    if (path.startsWith(`/${AUFS_META_PREFIX}`)) {
      this.aufsMetaIgnored++;
      return "ignored";
    }
    const type = fileType(h);
    if (type === undefined) {
      return this.reject(h, "unsupported-type", `typeflag ${JSON.stringify(String.fromCharCode(h.typeflag))}`);
    }
    if (path === "/" && type !== "dir") return this.reject(h, "path-escape", "non-directory entry names the root");
    const e: FileEntry = {
      path,
      type,
      mode: h.mode,
      uid: h.uid,
      gid: h.gid,
      size: type === "file" ? h.size : 0,
      layer: this.index,
    };
    if (type === "hardlink") {
      const target = canonicalPath(h.linkname);
      if (target === null) return this.reject(h, "link-escape", `hardlink target ${JSON.stringify(h.linkname)}`);
      e.linkTarget = target;
    } else if (type === "symlink") {
      e.linkTarget = h.linkname;
    }
    if (hasKeys(h.xattrs)) e.xattrs = h.xattrs;
    if (h.type === "gnu-sparse" || h.sparse) {
      this.unsafe.push({ layer: this.index, name: h.name, reason: "sparse", detail: "kept as a regular file" });
    }
    if (this.seen.has(path)) this.duplicates.add(path);
    else this.seen.add(path);
    this.entries.push(e);
    return "entry";
  }

  /** The entry added by the last add() that returned "entry" (its canonical path). */
  last(): FileEntry | undefined {
    return this.entries[this.entries.length - 1];
  }

  /**
   * The LayerIndex. `stats` come from the tar walker (it sees every header);
   * `contents` are the capped bytes it captured, keyed by canonical path.
   */
  finish(stats: LayerIndex["stats"], contents: Map<string, Uint8Array> = new Map()): LayerIndex {
    return {
      index: this.index,
      entries: this.entries,
      whiteouts: this.whiteouts,
      opaqueDirs: this.opaqueDirs,
      unsafe: this.unsafe,
      duplicates: [...this.duplicates],
      contents,
      stats,
    };
  }

  private addWhiteout(h: TarHeader, path: string, base: string): AddResult {
    if (base === OPAQUE_MARKER) {
      this.opaqueDirs.push(parentOf(path));
      return "opaque";
    }
    if (base.startsWith(AUFS_META_PREFIX)) {
      this.aufsMetaIgnored++;
      return "ignored";
    }
    const victim = base.slice(WHITEOUT_PREFIX.length);
    if (victim === "" || victim === "." || victim === "..") {
      return this.reject(h, "invalid-whiteout", "whiteout without a basename to delete");
    }
    this.whiteouts.push(joinPath(parentOf(path), victim));
    return "whiteout";
  }

  private reject(h: TarHeader, reason: UnsafeEntry["reason"], detail: string): "unsafe" {
    this.unsafe.push({ layer: this.index, name: h.name, reason, detail });
    return "unsafe";
  }
}
