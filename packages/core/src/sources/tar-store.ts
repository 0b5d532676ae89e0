import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { LayerlintError } from "../errors.js";
import { canonicalPath } from "../paths.js";
import { indexTarFile, type TarMember } from "../tar/index.js";
import { READ_HIGH_WATER_MARK, type BlobStore } from "./blob-store.js";

/**
 * Members of an outer tar (oci-archive, docker save) read in place: one pass
 * over the headers builds an index of offsets, then each blob streams from
 * its offset. Nothing is extracted. Reading by offset also copes with
 * legacy archives whose manifest.json is the last entry (DEPENDENCIES.md).
 */
export class TarStore implements BlobStore {
  private constructor(
    readonly location: string,
    private readonly members: Map<string, TarMember>,
  ) {}

  static async open(file: string): Promise<TarStore> {
    return new TarStore(file, await indexTarFile(file));
  }

  /** Follows symlink members (docker save stores repeated layers as links), loop-safe. */
  private member(rel: string): TarMember | undefined {
    let name = normalise(rel);
    // manifest.json is untrusted: `../x` names nothing inside this archive.
    if (canonicalPath(name) === null) {
      throw new LayerlintError("ARCHIVE_INVALID", `${this.location}: ${rel} points outside the archive`);
    }
    for (let hops = 0; hops < 16; hops++) {
      const m = this.members.get(name);
      if (!m || m.type !== "symlink") return m && (m.type === "file" || m.type === "hardlink") ? this.hard(m) : undefined;
      const target = path.posix.normalize(
        m.linkname.startsWith("/") ? m.linkname : path.posix.join(path.posix.dirname(name), m.linkname),
      );
      if (target.startsWith("../") || target === "..") {
        throw new LayerlintError("ARCHIVE_INVALID", `${this.location}: ${rel} links outside the archive`);
      }
      name = normalise(target);
    }
    throw new LayerlintError("ARCHIVE_INVALID", `${this.location}: ${rel}: symlink loop`);
  }

  private hard(m: TarMember): TarMember | undefined {
    if (m.type !== "hardlink") return m;
    const t = this.members.get(normalise(m.linkname));
    return t && t.type === "file" ? t : undefined;
  }

  async size(rel: string): Promise<number | undefined> {
    return this.member(rel)?.size;
  }

  async has(rel: string): Promise<boolean> {
    return this.member(rel) !== undefined;
  }

  async readSmall(rel: string, max: number): Promise<Buffer> {
    const m = this.member(rel);
    if (!m) throw new LayerlintError("NOT_FOUND", `${this.location}: ${rel} not found in archive`);
    if (m.size > max) {
      throw new LayerlintError("LIMIT_EXCEEDED", `${this.location}: ${rel} is ${m.size} bytes, over the ${max}-byte limit`);
    }
    const fh = await open(this.location, "r");
    try {
      const buf = Buffer.alloc(m.size);
      const { bytesRead } = await fh.read(buf, 0, m.size, m.offset);
      if (bytesRead !== m.size) throw new LayerlintError("ARCHIVE_INVALID", `${this.location}: ${rel} is truncated`);
      return buf;
    } finally {
      await fh.close();
    }
  }

  async stream(rel: string, signal?: AbortSignal): Promise<Readable> {
    const m = this.member(rel);
    if (!m) throw new LayerlintError("NOT_FOUND", `${this.location}: ${rel} not found in archive`);
    if (m.size === 0) return Readable.from([]);
    // Not with an already aborted signal: such a stream never closes its fd (see DirStore.stream).
    signal?.throwIfAborted();
    return createReadStream(this.location, {
      start: m.offset,
      end: m.offset + m.size - 1,
      highWaterMark: READ_HIGH_WATER_MARK,
      signal,
    });
  }

  async close(): Promise<void> {}
}

function normalise(name: string): string {
  let n = name;
  while (n.startsWith("./")) n = n.slice(2);
  while (n.startsWith("/")) n = n.slice(1);
  while (n.endsWith("/")) n = n.slice(0, -1);
  return n;
}
