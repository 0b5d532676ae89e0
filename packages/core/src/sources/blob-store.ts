import type { Readable } from "node:stream";

/**
 * Where a local image's files live: a directory, or members of a tar read in
 * place. Paths are relative, "/"-separated, as an OCI layout or docker save
 * names them.
 */
export interface BlobStore {
  /** For error messages: the directory or archive path. */
  readonly location: string;
  has(path: string): Promise<boolean>;
  /** Size in bytes of a member, or undefined when missing. */
  size(path: string): Promise<number | undefined>;
  /** Reads a small document whole; over `max` bytes is LIMIT_EXCEEDED. */
  readSmall(path: string, max: number): Promise<Buffer>;
  /** Streams a member from its offset; nothing is copied to disk. */
  stream(path: string, signal?: AbortSignal): Promise<Readable>;
  close(): Promise<void>;
}

/** Large reads: 1 MiB buffers keep the syscall count low for 1 GiB layers. */
export const READ_HIGH_WATER_MARK = 1024 * 1024;
