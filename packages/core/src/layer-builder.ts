/**
 * LayerBuilder: turns one layer's tar headers, in stream order, into a
 * LayerIndex (metadata only). The tar walker owns the stream; this owns the
 * meaning of each name, as containerd's applyNaive and moby's UnpackLayer
 * give it (https://github.com/containerd/containerd/blob/v1.6.20/archive/tar.go,
 * https://github.com/moby/moby/blob/v20.10.24/pkg/archive/diff.go).
 *
 *   const b = new LayerBuilder(layerIndex);
 *   for each header h: b.add(h)   // "entry" | "whiteout" | "opaque" | "unsafe"
 *                      b.last()   // after "entry": the FileEntry just added
 *   const index = b.finish({ entries, files, tarBytes }, contents);
 *
 * Decisions:
 * - Names are cleaned as both runtimes do (Go's filepath.Clean, paths.ts
 *   cleanName): "x/../etc/passwd" is /etc/passwd. A relative name that still
 *   climbs above the root is clamped into it, where containerd writes it,
 *   and recorded "path-escape" (moby refuses such a layer).
 * - Whiteouts are recognised by the basename alone, as containerd does:
 *   `.wh..wh..opq` marks its parent opaque; any other `.wh.<name>` deletes
 *   parent/<name>, `.wh..wh.x` included (it deletes `.wh.x`). `.wh.`,
 *   `.wh..`, `.wh...` → "invalid-whiteout" (containerd validateWhiteout
 *   rejects the same three; image-spec layer.md). The tar type of a whiteout
 *   is not checked, like containerd and moby.
 * - Entries under a top-level `/.wh..wh.*` directory (AUFS metadata) are
 *   extracted by containerd, parents implied, and skipped by moby: they stay
 *   in the tree (a setuid file there is seen) and are recorded "aufs-name".
 *   A regular file under `.wh..wh.plnk*` is also remembered by basename:
 *   moby extracts a later hardlink into that directory as a copy of it
 *   (LayerIndex.aufsLinks; the merge takes the stronger of both results).
 * - Hardlink targets are cleaned and clamped the same way (relative to the
 *   archive root, layer.md); one that climbs is recorded "link-escape" (moby
 *   refuses the layer). A target name that is not plain is kept in
 *   LayerIndex.linkNames for containerd's component-wise resolution.
 *   Symlink targets are kept exactly as stored; a symlink's mode is 0777.
 * - GNU sparse (`S`) or PAX sparse → "sparse" (layer.md: SHOULD NOT), kept as
 *   a regular file so analyzers still see it. Contiguous (`7`) is a regular
 *   file. Unknown typeflags → "unsupported-type", dropped. A non-directory
 *   naming the root (e.g. "./" typed as a file) → "path-escape", dropped.
 * - Duplicate paths (layer.md: MUST NOT) are listed in `duplicates`; all
 *   copies stay in `entries` in stream order, so mergeLayers lets the last one
 *   win as tar extraction does and records the earlier ones as shadowed.
 */
import type { FileEntry, FileType, UnsafeReason } from "./types.js";
import type { LayerIndex } from "./layer-index.js";
import type { TarHeader } from "./tar/tar-header.js";
import { basename, cleanName, climbsAboveRoot, hasDotDot, joinPath, parentOf } from "./paths.js";
import { UnsafeLog } from "./unsafe-log.js";

export const WHITEOUT_PREFIX = ".wh.";
export const OPAQUE_MARKER = ".wh..wh..opq";
export const AUFS_META_PREFIX = ".wh..wh.";
/** moby's WhiteoutLinkDir: AUFS keeps hardlink sources here. */
export const AUFS_LINK_DIR = ".wh..wh.plnk";

const SLASH = 47;
export const SYMLINK_MODE = 0o777;

export type AddResult = "entry" | "whiteout" | "opaque" | "unsafe";

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

/**
 * moby tests these prefixes on the cleaned name, which keeps a leading "/":
 * only a relative name is under its `.wh..wh.` directory at the root.
 */
function underAufsDir(raw: string, path: string, dir: string): boolean {
  return raw.charCodeAt(0) !== SLASH && path.startsWith(dir, 1);
}

export class LayerBuilder {
  private readonly entries: FileEntry[] = [];
  private readonly whiteouts: string[] = [];
  private readonly opaqueDirs: string[] = [];
  private readonly log = new UnsafeLog();
  private readonly seen = new Set<string>();
  private readonly duplicates = new Set<string>();
  private readonly linkNames = new Map<FileEntry, string>();
  private readonly aufsLinks = new Map<FileEntry, FileEntry>();
  private readonly rootedNames = new Set<FileEntry>();
  /** Regular files under `.wh..wh.plnk*` by basename, last one wins (moby's aufsHardlinks). */
  private readonly plnk = new Map<string, FileEntry>();

  constructor(readonly index: number) {}

  add(h: TarHeader): AddResult {
    const path = cleanName(h.name);
    if (h.name.includes("..") && climbsAboveRoot(h.name)) {
      this.flag(h, "path-escape", `'..' climbs above the root: clamped into the root at ${path} (containerd); moby refuses this layer`);
    }
    const base = basename(path);
    if (base.startsWith(WHITEOUT_PREFIX)) return this.addWhiteout(h, path, base);
    const type = fileType(h);
    if (type === undefined) {
      return this.reject(h, "unsupported-type", `typeflag ${JSON.stringify(String.fromCharCode(h.typeflag))}`);
    }
    if (path === "/" && type !== "dir") return this.reject(h, "path-escape", "non-directory entry names the root");
    const e: FileEntry = {
      path,
      type,
      mode: type === "symlink" ? SYMLINK_MODE : h.mode,
      uid: h.uid,
      gid: h.gid,
      size: type === "file" ? h.size : 0,
      layer: this.index,
    };
    if (type === "hardlink") this.hardlink(h, e);
    else if (type === "symlink") e.linkTarget = h.linkname;
    if (hasKeys(h.xattrs)) e.xattrs = h.xattrs;
    if (h.type === "gnu-sparse" || h.sparse) this.flag(h, "sparse", "kept as a regular file");
    if (path.charCodeAt(1) === 46 && underAufsDir(h.name, path, AUFS_META_PREFIX)) {
      this.flag(h, "aufs-name", "under a .wh..wh.* directory: containerd extracts it, moby skips it; kept");
      if (h.type === "file" && underAufsDir(h.name, path, AUFS_LINK_DIR)) this.plnk.set(base, e);
    }
    if (h.name.charCodeAt(0) === SLASH) this.rootedNames.add(e);
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
   * `contents` are the capped bytes it captured, keyed by entry object.
   */
  finish(stats: LayerIndex["stats"], contents: Map<FileEntry, Uint8Array> = new Map()): LayerIndex {
    return {
      index: this.index,
      entries: this.entries,
      whiteouts: this.whiteouts,
      opaqueDirs: this.opaqueDirs,
      unsafe: this.log.listed,
      unsafeCounts: this.log.tallies(),
      duplicates: [...this.duplicates],
      linkNames: this.linkNames,
      aufsLinks: this.aufsLinks,
      rootedNames: this.rootedNames,
      contents,
      stats,
    };
  }

  private hardlink(h: TarHeader, e: FileEntry): void {
    const raw = h.linkname;
    const target = cleanName(raw);
    e.linkTarget = target;
    if (hasDotDot(raw) || raw.charCodeAt(raw.length - 1) === SLASH) {
      this.linkNames.set(e, raw);
      if (climbsAboveRoot(raw)) {
        this.flag(h, "link-escape", `hardlink target ${JSON.stringify(raw)} climbs above the root: clamped to ${target} (containerd); moby refuses this layer`);
      }
    }
    // moby: strings.HasPrefix(filepath.Clean(hdr.Linkname), WhiteoutLinkDir), then aufsHardlinks[filepath.Base(hdr.Linkname)].
    if (target.charCodeAt(1) === 46 && underAufsDir(raw, target, AUFS_LINK_DIR) && !climbsAboveRoot(raw)) {
      const source = this.plnk.get(basename(target));
      if (source !== undefined) this.aufsLinks.set(e, source);
    }
  }

  private addWhiteout(h: TarHeader, path: string, base: string): AddResult {
    if (base === OPAQUE_MARKER) {
      this.opaqueDirs.push(parentOf(path));
      return "opaque";
    }
    const victim = base.slice(WHITEOUT_PREFIX.length);
    if (victim === "" || victim === "." || victim === "..") {
      return this.reject(h, "invalid-whiteout", "whiteout without a basename to delete");
    }
    this.whiteouts.push(joinPath(parentOf(path), victim));
    return "whiteout";
  }

  private flag(h: TarHeader, reason: UnsafeReason, detail: string): void {
    this.log.add(this.index, reason, h.name, detail);
  }

  private reject(h: TarHeader, reason: UnsafeReason, detail: string): "unsafe" {
    this.flag(h, reason, detail);
    return "unsafe";
  }
}
