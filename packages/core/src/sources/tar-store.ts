import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { Readable } from "node:stream";
import { LayerlintError } from "../errors.js";
import { indexTarFile, type TarMember } from "../tar/index.js";
import { READ_HIGH_WATER_MARK, type BlobStore } from "./blob-store.js";
import { resolveMember, type MemberLink } from "./member-links.js";

/**
 * Members of an outer tar (oci-archive, docker save) read in place: one pass
 * over the headers builds an index of offsets, then each blob streams from
 * its offset. Nothing is extracted. Reading by offset also copes with
 * legacy archives whose manifest.json is the last entry; a pipe or a
 * compressed archive is read in one pass instead (archive-pass.ts).
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
    return resolveMember(this.members, linkOf, rel, this.location);
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

function linkOf(m: TarMember): MemberLink {
  const kind = m.type === "file" || m.type === "symlink" || m.type === "hardlink" ? m.type : "other";
  return { kind, linkname: m.linkname };
}
