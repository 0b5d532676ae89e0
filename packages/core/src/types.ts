import type { Readable } from "node:stream";

/** OCI content descriptor (image-spec descriptor.md). */
export interface Descriptor {
  mediaType: string;
  /** Set on descriptors of artifacts (image-spec descriptor.md). */
  artifactType?: string | undefined;
  digest: string;
  size: number;
  annotations?: Record<string, string> | undefined;
  platform?: Platform | undefined;
  urls?: string[] | undefined;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string | undefined;
  "os.version"?: string | undefined;
}

/** An image manifest already resolved to a single platform. */
export interface ImageManifest {
  mediaType: string;
  /** Digest of the manifest bytes as stored (or as synthesised for docker-archive). */
  digest: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string> | undefined;
  /** The platform its index descriptor declares, when one named it. */
  platform?: Platform | undefined;
  /**
   * The index this image was chosen from, when the input named one: the
   * outermost index (the digest `layerlint digest` and `crane digest`
   * print for a multi-platform tag) and its entries.
   */
  fromIndex?: ChosenFromIndex | undefined;
}

/** An image index and which of its entries led to the chosen image. */
export interface ChosenFromIndex {
  digest: string;
  mediaType: string;
  /** Every entry, in index order: images of each platform, and attestations or artifacts. */
  manifests: Descriptor[];
  /** Digest of the entry that was followed (an image manifest, or a nested index). */
  chosen: string;
}

export interface HistoryEntry {
  created?: string | undefined;
  created_by?: string | undefined;
  author?: string | undefined;
  comment?: string | undefined;
  empty_layer?: boolean | undefined;
}

export interface ContainerConfig {
  User?: string | undefined;
  Env?: string[] | undefined;
  Entrypoint?: string[] | null | undefined;
  Cmd?: string[] | null | undefined;
  WorkingDir?: string | undefined;
  ExposedPorts?: Record<string, unknown> | undefined;
  Volumes?: Record<string, unknown> | undefined;
  Labels?: Record<string, string> | null | undefined;
  StopSignal?: string | undefined;
  Healthcheck?: { Test?: string[] | undefined; [k: string]: unknown } | undefined;
  Shell?: string[] | undefined;
  OnBuild?: string[] | null | undefined;
}

/** Image config (image-spec config.md). Unknown fields are kept, never rejected. */
export interface ImageConfig {
  digest: string;
  architecture: string;
  os: string;
  variant?: string | undefined;
  created?: string | undefined;
  config: ContainerConfig;
  rootfs: { type: "layers"; diff_ids: string[] };
  history: HistoryEntry[];
}

export type SourceKind = "registry" | "oci-layout" | "oci-archive" | "docker-archive";

/** Every backend implements only this. */
export interface ImageSource {
  readonly kind: SourceKind;
  /** What the user typed, e.g. `oci-archive:app.tar`. */
  readonly description: string;
  /** Registry inputs only: the normalised reference. */
  readonly reference?: string | undefined;
  manifest(): Promise<ImageManifest>;
  config(): Promise<ImageConfig>;
  /** The raw stored bytes of a blob; callers verify them (openLayer does). */
  openBlob(d: Descriptor, signal?: AbortSignal): Promise<Readable>;
  close(): Promise<void>;
}

export type FileType = "file" | "dir" | "symlink" | "hardlink" | "char" | "block" | "fifo";

/** One path of one layer, metadata only. */
export interface FileEntry {
  /** Canonical absolute path: "/usr/bin/su". The root is "/". */
  path: string;
  type: FileType;
  /**
   * Permission bits including setuid/setgid/sticky (masked to 0o7777). A
   * symlink's are 0o777 whatever its header says: Linux has no lchmod and the
   * runtimes skip chmod for symlinks. After the merge, every name of a
   * hardlinked inode carries the inode's mode, owner and xattrs.
   */
  mode: number;
  uid: number;
  gid: number;
  /** Bytes of content for regular files; 0 otherwise. */
  size: number;
  /**
   * Symlink target as stored, or hardlink target as a canonical absolute path
   * (cleaned and clamped into the root, paths.ts cleanName).
   */
  linkTarget?: string | undefined;
  /** Raw xattr bytes, keyed by name (e.g. "security.capability"). */
  xattrs?: Record<string, Uint8Array> | undefined;
  /** Index of the layer that added this version. */
  layer: number;
}

/** An entry that shipped in a layer blob but is not visible in the final image. */
export interface ShadowedEntry extends FileEntry {
  /** The layer whose whiteout, opaque marker or overwrite hid it. */
  hiddenBy: number;
  hiddenHow: "whiteout" | "opaque" | "overwrite";
}

/**
 * Why a tar entry is in the `unsafe` list: the walk or the merge had to
 * interpret it, and the runtimes may disagree or refuse the layer.
 * - "path-escape": a name that climbs above the root ("../usr/bin/su"),
 *   placed where both runtimes clamp it; or a non-directory naming the
 *   root, dropped.
 * - "link-escape": written through a symlinked parent, or a hardlink target
 *   that climbs above the root (clamped as both runtimes do), or a symlink
 *   loop in the parent path (entry dropped), or an opaque marker in a
 *   symlinked directory (which hides nothing here).
 * - "invalid-whiteout": `.wh.`, `.wh..` or `.wh...`, which containerd
 *   refuses; moby removes the directory itself (its parent for `.wh...`),
 *   and so do we.
 * - "pax-global": a PAX `g` entry whose name holds something: containerd
 *   and moby's UnpackLayer remove it, docker's overlay2 driver ignores the
 *   entry; kept in the tree.
 * - "invalid-hardlink": a hardlink whose target is missing or a directory
 *   when it is applied: link() fails and the runtime fails the layer; the
 *   entry is dropped.
 * - "aufs-name": a name under a top-level `/.wh..wh.*` directory, which
 *   containerd extracts and moby skips; kept in the tree.
 * - "sparse": a sparse file (kept as a regular file).
 * - "unsupported-type": a typeflag no runtime extracts (dropped).
 */
export type UnsafeReason =
  | "path-escape"
  | "invalid-whiteout"
  | "sparse"
  | "unsupported-type"
  | "link-escape"
  | "invalid-hardlink"
  | "aufs-name"
  | "pax-global";

/** A tar entry the walk or the merge had to interpret (see UnsafeReason). */
export interface UnsafeEntry {
  layer: number;
  /** The name exactly as it appeared in the tar (or the canonical path, for merge-time findings). */
  name: string;
  reason: UnsafeReason;
  detail?: string | undefined;
}
