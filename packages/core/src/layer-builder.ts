/**
 * LayerBuilder: turns one layer's tar headers, in stream order, into a
 * LayerIndex (metadata only). The tar walker owns the stream; this owns the
 * meaning of each name, as containerd's applyNaive and moby's UnpackLayer
 * give it (https://github.com/containerd/containerd/blob/v1.6.20/archive/tar.go,
 * https://github.com/moby/moby/blob/v20.10.24/pkg/archive/diff.go).
 *
 *   const b = new LayerBuilder(layerIndex);
 *   for each header h: b.add(h)   // "entry" | "whiteout" | "opaque" | "pax-global" | "unsafe"
 *                      b.last()   // after "entry": the FileEntry just added
 *   const index = b.finish({ entries, files, tarBytes }, contents);
 *
 * Decisions:
 * - Names are cleaned as both runtimes do (Go's filepath.Clean, paths.ts
 *   cleanName): "x/../etc/passwd" is /etc/passwd. A relative name that still
 *   climbs above the root is clamped into it, where containerd writes it
 *   (fs.RootPath) and moby too (it unpacks chrooted at the layer root, so
 *   its breakout check sees filepath.Join("/", name):
 *   https://github.com/moby/moby/blob/v20.10.24/pkg/chrootarchive/diff_unix.go),
 *   and recorded "path-escape".
 * - Whiteouts are recognised by the basename alone, as containerd does:
 *   `.wh..wh..opq` marks its parent opaque; any other `.wh.<name>` deletes
 *   parent/<name>, `.wh..wh.x` included (it deletes `.wh.x`). The tar type
 *   of a whiteout is not checked, like containerd and moby (a `g` entry
 *   named `.wh.x` is a whiteout too). Whiteouts and markers are kept in
 *   stream order among the entries (LayerIndex.marks): both runtimes act on
 *   them where they stand in the stream.
 * - `.wh.`, `.wh..`, `.wh...`: containerd refuses the layer
 *   (validateWhiteout); moby removes filepath.Join(dir, base[4:]), which is
 *   the directory itself for the first two and its parent for `.wh...`. Only
 *   moby applies such a layer, so we do what it does, and record
 *   "invalid-whiteout". Where that is the root, moby's RemoveAll("/") fails
 *   the layer too: nothing is removed.
 * - A PAX `g` entry (type "pax-global") is a mark: containerd's applyNaive
 *   and moby's UnpackLayer create the parents of its name, remove what is at
 *   it and ignore the entry; moby's Unpack, which docker's overlay2 driver
 *   uses, skips it first thing
 *   (https://github.com/moby/moby/blob/v20.10.24/pkg/archive/archive.go).
 *   The merge creates the parents and keeps what is there ("pax-global").
 * - Entries under a top-level `/.wh..wh.*` directory (AUFS metadata) are
 *   extracted by containerd, parents implied, and skipped by moby: they stay
 *   in the tree (a setuid file there is seen) and are recorded "aufs-name".
 *   A whiteout or opaque marker there (but the root's `.wh..wh..opq`) is
 *   skipped, its parents created: what it would hide stays ("aufs-name").
 *   A regular file under `.wh..wh.plnk*` (or named so) is also remembered
 *   by basename: moby extracts a later hardlink into that directory as a
 *   copy of it (LayerIndex.aufsLinks; the merge takes the stronger of both
 *   results, or moby's copy where containerd's link fails).
 *   A hardlink named there is listed in LayerIndex.mobySkippedLinks: moby
 *   leaves the inode it names as it was, containerd applies the link
 *   header's mode and owner to it (the merge keeps the stronger).
 * - Hardlink targets are cleaned and clamped the same way (relative to the
 *   archive root, https://github.com/opencontainers/image-spec/blob/v1.1.0/layer.md);
 *   one that climbs is recorded "link-escape" (clamped by both). A
 *   target name that is not plain is kept in LayerIndex.linkNames for
 *   containerd's component-wise resolution. Symlink targets are kept exactly
 *   as stored; a symlink's mode is 0777.
 * - GNU sparse (`S`) or PAX sparse → "sparse" (image-spec layer.md: SHOULD
 *   NOT), kept as a regular file so analyzers still see it. Contiguous (`7`)
 *   is a regular file. Unknown typeflags → "unsupported-type", dropped. A
 *   non-directory naming the root (e.g. "./" typed as a file) →
 *   "path-escape", dropped.
 * - Duplicate paths (image-spec layer.md: MUST NOT) are listed in
 *   `duplicates`; all copies stay in `entries` in stream order, so
 *   mergeLayers lets the last one win as tar extraction does and records the
 *   earlier ones as shadowed.
 */
import type { FileEntry, FileType, UnsafeReason } from "./types.js";
import type { LayerIndex, MarkKind, Marks } from "./layer-index.js";
import type { TarHeader } from "./tar/tar-header.js";
import { basename, cleanName, climbsAboveRoot, hasDotDot, joinPath, parentOf } from "./paths.js";
import { UnsafeLog } from "./unsafe-log.js";

export const WHITEOUT_PREFIX = ".wh.";
export const OPAQUE_MARKER = ".wh..wh..opq";
export const AUFS_META_PREFIX = ".wh..wh.";
/** moby processes this one name under the prefix: the root's opaque marker. */
const ROOT_OPAQUE = `/${OPAQUE_MARKER}`;
/** moby's WhiteoutLinkDir: AUFS keeps hardlink sources here. */
export const AUFS_LINK_DIR = ".wh..wh.plnk";

const SLASH = 47;
export const SYMLINK_MODE = 0o777;

export type AddResult = "entry" | "whiteout" | "opaque" | "pax-global" | "unsafe";

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
 * moby tests these prefixes on filepath.Clean of the stored name, which
 * keeps a leading "/" and leading ".." components: only a relative name
 * that does not climb above the root is under its `.wh..wh.` directory.
 */
function underAufsDir(raw: string, path: string, dir: string): boolean {
  return raw.charCodeAt(0) !== SLASH && path.startsWith(dir, 1) && !(raw.includes("..") && climbsAboveRoot(raw));
}

export class LayerBuilder {
  private readonly entries: FileEntry[] = [];
  private readonly marks: Marks = { kind: [], path: [], at: [] };
  private readonly log = new UnsafeLog();
  private readonly seen = new Set<string>();
  private readonly duplicates = new Set<string>();
  private readonly linkNames = new Map<FileEntry, string>();
  private readonly aufsLinks = new Map<FileEntry, FileEntry>();
  private readonly rootedNames = new Set<FileEntry>();
  private readonly mobySkippedLinks = new Set<FileEntry>();
  /** Regular files under `.wh..wh.plnk*` by basename, last one wins (moby's aufsHardlinks). */
  private readonly plnk = new Map<string, FileEntry>();

  constructor(readonly index: number) {}

  add(h: TarHeader): AddResult {
    const path = cleanName(h.name);
    if (h.name.includes("..") && climbsAboveRoot(h.name)) {
      this.flag(h, "path-escape", `'..' climbs above the root: clamped into the root at ${path}, where containerd and moby (chrooted at the layer root) write it`);
    }
    const base = basename(path);
    if (base.startsWith(WHITEOUT_PREFIX)) return this.addWhiteout(h, path, base);
    if (h.type === "pax-global") {
      // Named after the root, containerd skips it ("resolved to root") and moby's RemoveAll("/") fails the layer.
      if (path !== "/") this.mark("pax-global", path);
      return "pax-global";
    }
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
      else if (type === "hardlink") this.mobySkippedLinks.add(e);
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
      marks: this.marks,
      unsafe: this.log.listed,
      unsafeCounts: this.log.tallies(),
      duplicates: [...this.duplicates],
      linkNames: this.linkNames,
      aufsLinks: this.aufsLinks,
      rootedNames: this.rootedNames,
      mobySkippedLinks: this.mobySkippedLinks,
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
        this.flag(h, "link-escape", `hardlink target ${JSON.stringify(raw)} climbs above the root: clamped to ${target}, as containerd and moby (chrooted at the layer root) do`);
      }
    }
    // moby: strings.HasPrefix(filepath.Clean(hdr.Linkname), WhiteoutLinkDir), then aufsHardlinks[filepath.Base(hdr.Linkname)].
    if (target.charCodeAt(1) === 46 && underAufsDir(raw, target, AUFS_LINK_DIR)) {
      const source = this.plnk.get(basename(target));
      if (source !== undefined) this.aufsLinks.set(e, source);
    }
  }

  private addWhiteout(h: TarHeader, path: string, base: string): AddResult {
    const dir = parentOf(path);
    if (path.charCodeAt(1) === 46 && underAufsDir(h.name, path, AUFS_META_PREFIX) && path !== ROOT_OPAQUE) {
      // moby skips names under a top-level .wh..wh.* before it looks for whiteouts (after creating the
      // parents); containerd applies them. Nothing is removed: present wherever either leaves it.
      this.flag(h, "aufs-name", "whiteout under a .wh..wh.* directory: containerd applies it, moby skips it; nothing removed");
      this.mark("parents", dir);
      if (h.type === "file" && underAufsDir(h.name, path, AUFS_LINK_DIR)) {
        // A regular file named .wh..wh.plnk*: still a source for moby's aufsHardlinks (never extracted).
        const source: FileEntry = { path, type: "file", mode: h.mode, uid: h.uid, gid: h.gid, size: h.size, layer: this.index };
        if (hasKeys(h.xattrs)) source.xattrs = h.xattrs;
        this.plnk.set(base, source);
      }
      return base === OPAQUE_MARKER ? "opaque" : "whiteout";
    }
    if (base === OPAQUE_MARKER) {
      this.mark("opaque", dir);
      return "opaque";
    }
    const victim = base.slice(WHITEOUT_PREFIX.length);
    if (victim === "" || victim === "." || victim === "..") {
      // moby: os.RemoveAll(filepath.Join(dir, victim)), lexically the directory or its parent.
      const gone = victim === ".." ? parentOf(dir) : dir;
      if (gone === "/") return this.reject(h, "invalid-whiteout", "names the root: containerd refuses this layer, moby fails removing /");
      this.flag(h, "invalid-whiteout", `containerd refuses this layer; moby removes ${gone}, and so do we`);
      // moby's MkdirAll made the marker's own directory first (through symlinks): it may outlive `gone`.
      if (gone !== dir) this.mark("parents", dir);
      this.mark("whiteout", gone);
      return "whiteout";
    }
    this.mark("whiteout", joinPath(dir, victim));
    return "whiteout";
  }

  private mark(kind: MarkKind, path: string): void {
    this.marks.kind.push(kind);
    this.marks.path.push(path);
    this.marks.at.push(this.entries.length);
  }

  private flag(h: TarHeader, reason: UnsafeReason, detail: string): void {
    this.log.add(this.index, reason, h.name, detail);
  }

  private reject(h: TarHeader, reason: UnsafeReason, detail: string): "unsafe" {
    this.flag(h, reason, detail);
    return "unsafe";
  }
}
