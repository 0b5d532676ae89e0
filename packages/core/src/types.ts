import type { Readable } from "node:stream";

/** OCI content descriptor (image-spec descriptor.md). */
export interface Descriptor {
  mediaType: string;
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

/** Every backend implements only this (DESIGN.md §2). */
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
  /** Permission bits including setuid/setgid/sticky (masked to 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  /** Bytes of content for regular files; 0 otherwise. */
  size: number;
  /** Symlink target as stored, or hardlink target as a canonical absolute path. */
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

/** A tar entry the walk refused to place in the tree (`../`, bad whiteout…). */
export interface UnsafeEntry {
  layer: number;
  /** The name exactly as it appeared in the tar. */
  name: string;
  reason: "path-escape" | "invalid-whiteout" | "sparse" | "unsupported-type" | "link-escape";
  detail?: string | undefined;
}
