import { constants, createReadStream } from "node:fs";
import { open, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { LayerlintError } from "../errors.js";
import { READ_HIGH_WATER_MARK, type BlobStore } from "./blob-store.js";

/**
 * Read-only; the final component is never followed (realpath has resolved
 * every link already); and a FIFO swapped in after the check cannot block
 * the open (O_NONBLOCK; fstat then refuses it, O_NONBLOCK is a no-op for a
 * regular file: https://man7.org/linux/man-pages/man2/open.2.html).
 */
const READ_NO_FOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * An OCI layout directory on disk. Nothing outside it is read: a path is
 * resolved with realpath, and one that lands outside the layout's own real
 * directory (`index.json -> /etc/shadow`, `blobs -> /`) is refused before
 * a byte is read, so no error can echo another file's content. Links that
 * stay inside the layout are followed. The file is then opened with
 * O_NOFOLLOW, so a link swapped in after the check is not followed either
 * (image-spec image-layout.md: the layout is one directory,
 * https://github.com/opencontainers/image-spec/blob/main/image-layout.md).
 */
export class DirStore implements BlobStore {
  private rootP?: Promise<string>;

  constructor(readonly location: string) {}

  private root(): Promise<string> {
    this.rootP ??= realpath(this.location);
    return this.rootP;
  }

  /** The real path of `rel` inside the layout; undefined when it does not exist. */
  private async resolve(rel: string): Promise<string | undefined> {
    const full = path.resolve(this.location, rel);
    const lexicalRoot = path.resolve(this.location);
    if (full !== lexicalRoot && !full.startsWith(lexicalRoot + path.sep)) {
      throw new LayerlintError("ARCHIVE_INVALID", `${this.location}: path "${rel}" points outside the layout`);
    }
    let real: string;
    try {
      real = await realpath(full);
    } catch {
      return undefined;
    }
    const root = await this.root();
    if (real !== root && !real.startsWith(root + path.sep)) {
      throw new LayerlintError("ARCHIVE_INVALID", `${this.location}: ${rel} is a symlink out of the layout; refusing to follow it`);
    }
    return real;
  }

  /** The real path and size of a regular file inside the layout. */
  private async file(rel: string): Promise<{ real: string; size: number } | undefined> {
    const real = await this.resolve(rel);
    if (real === undefined) return undefined;
    try {
      const s = await stat(real);
      return s.isFile() ? { real, size: s.size } : undefined;
    } catch {
      return undefined;
    }
  }

  async size(rel: string): Promise<number | undefined> {
    return (await this.file(rel))?.size;
  }

  async has(rel: string): Promise<boolean> {
    return (await this.file(rel)) !== undefined;
  }

  async readSmall(rel: string, max: number): Promise<Buffer> {
    const f = await this.file(rel);
    if (f === undefined) throw new LayerlintError("NOT_FOUND", `${this.location}: ${rel} not found`);
    if (f.size > max) {
      throw new LayerlintError("LIMIT_EXCEEDED", `${this.location}: ${rel} is ${f.size} bytes, over the ${max}-byte limit`);
    }
    const fh = await this.openFile(f.real, rel);
    try {
      const buf = Buffer.alloc(f.size);
      const { bytesRead } = await fh.read(buf, 0, f.size, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  async stream(rel: string, signal?: AbortSignal): Promise<Readable> {
    const f = await this.file(rel);
    if (f === undefined) throw new LayerlintError("NOT_FOUND", `${this.location}: ${rel} not found`);
    // A read stream created with an already aborted signal never closes its
    // fd (measured on Node 20): a layer started just as the scan is stopped
    // would keep its file open. Nothing is opened once the scan is aborted.
    signal?.throwIfAborted();
    // Opened here, so a failure is this call's error rather than a stream event.
    const fh = await this.openFile(f.real, rel);
    return createReadStream("", { fd: fh, highWaterMark: READ_HIGH_WATER_MARK, signal });
  }

  private async openFile(real: string, rel: string) {
    let fh;
    try {
      fh = await open(real, READ_NO_FOLLOW);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ELOOP") throw new LayerlintError("ARCHIVE_INVALID", `${this.location}: ${rel} became a symlink while it was read; refusing to follow it`);
      throw new LayerlintError("NOT_FOUND", `${this.location}: ${rel} cannot be opened (${code ?? "error"})`);
    }
    if (!(await fh.stat()).isFile()) {
      await fh.close();
      throw new LayerlintError("ARCHIVE_INVALID", `${this.location}: ${rel} is not a regular file`);
    }
    return fh;
  }

  async close(): Promise<void> {}
}
