/**
 * Index of an outer tar on disk (docker save, oci-archive): headers are read
 * with positioned reads and content is seeked over, so a multi-GB archive
 * costs one small read per member. Members are then read in place at
 * `offset`. `docker load` and `ctr import` read these archives with Go's
 * archive/tar too, so the header rules are the streaming walker's (same
 * block decoder, PAX parser and meta-header state, and the same end: a
 * pending x/L/K header at the end, or padding cut off by it, ends the
 * archive quietly as Reader.Next's io.EOF does,
 * https://github.com/golang/go/blob/master/src/archive/tar/reader.go). PAX global headers are
 * skipped: moby's Unpack ignores them before anything else
 * (https://github.com/moby/moby/blob/master/pkg/archive/archive.go), and
 * containerd's importer only reads regular files and symlinks
 * (https://github.com/containerd/containerd/blob/main/core/images/archive/importer.go).
 */
import { open, type FileHandle } from "node:fs/promises";
import { isLayerlintError, LayerlintError } from "../errors.js";
import { BLOCK, checkBlock, checkStoredSize, decodeHeader, isMetaFlag, padded } from "./header-block.js";
import { DEFAULT_MAX_META_BYTES, MetaState } from "./meta-state.js";
import type { TarType } from "./tar-header.js";

export interface TarMember {
  name: string;
  type: TarType;
  linkname: string;
  /** Archive offset of the member's content. */
  offset: number;
  size: number;
}

export interface TarIndexLimits {
  /** Default 1,000,000. */
  maxMembers?: number;
  /** Cap on each PAX/GNU meta header's payload, default 1 MiB (Go's maxSpecialFileSize). */
  maxMetaBytes?: number;
}

const WINDOW = 64 * 1024;

/** Light canonical form: no leading "./" or "/", no trailing "/". */
export function memberName(name: string): string {
  let s = 0;
  let e = name.length;
  for (;;) {
    if (name.startsWith("./", s)) s += 2;
    else if (name.charCodeAt(s) === 0x2f) s += 1;
    else break;
  }
  while (e > s && name.charCodeAt(e - 1) === 0x2f) e--;
  if (e - s === 1 && name.charCodeAt(s) === 0x2e) return "";
  return name.slice(s, e);
}

/** Reads 512-byte blocks through a 64 KiB window: one syscall serves many small members. */
class BlockReader {
  private win = Buffer.alloc(WINDOW);
  private winAt = 0;
  private winLen = 0;
  constructor(private readonly fh: FileHandle, readonly fileSize: number) {}

  /** A view of the block at `pos`, valid until the next call; the caller checked pos + 512 ≤ fileSize. */
  async block(pos: number): Promise<Buffer> {
    if (pos < this.winAt || pos + BLOCK > this.winAt + this.winLen) {
      const { bytesRead } = await this.fh.read(this.win, 0, WINDOW, pos);
      this.winAt = pos;
      this.winLen = bytesRead;
      if (bytesRead < BLOCK) throw new LayerlintError("TAR_INVALID", `truncated tar: short read at offset ${pos}`);
    }
    return this.win.subarray(pos - this.winAt, pos - this.winAt + BLOCK);
  }

  async bytes(pos: number, len: number): Promise<Uint8Array> {
    const out = Buffer.alloc(len);
    let done = 0;
    while (done < len) {
      const { bytesRead } = await this.fh.read(out, done, len - done, pos + done);
      if (bytesRead === 0) throw new LayerlintError("TAR_INVALID", `truncated tar: short read at offset ${pos + done}`);
      done += bytesRead;
    }
    return out;
  }
}

async function scan(r: BlockReader, limits: TarIndexLimits): Promise<Map<string, TarMember>> {
  const maxMembers = limits.maxMembers ?? 1_000_000;
  const meta = new MetaState(limits.maxMetaBytes ?? DEFAULT_MAX_META_BYTES);
  const members = new Map<string, TarMember>();
  const size = r.fileSize;
  let count = 0;
  let pos = 0;
  const need = (end: number, what: string, at: number): void => {
    if (end > size) throw new LayerlintError("TAR_INVALID", `truncated tar: ${what} at offset ${at} ends past the end of the file`);
  };
  while (pos < size) {
    need(pos + BLOCK, "header", pos);
    const b = await r.block(pos);
    const ck = checkBlock(b, 0);
    if (ck === -1) {
      // Go's readHeader: a second zero block, or the end of the file, ends the archive (a pending
      // x/L/K header is dropped with it); anything else fails.
      const next = pos + BLOCK;
      if (next === size) break;
      need(next + BLOCK, "block after a zero block", next);
      if (checkBlock(await r.block(next), 0) === -1) break;
      throw new LayerlintError("TAR_INVALID", `tar header after a lone zero block at offset ${next}`);
    }
    if (ck === 0) throw new LayerlintError("TAR_INVALID", pos === 0 ? "not a tar archive" : `tar header checksum mismatch at offset ${pos}`);
    const h = decodeHeader(b, 0, pos);
    checkStoredSize(h, pos);
    const at = pos;
    pos += BLOCK;
    if (isMetaFlag(h.typeflag)) {
      meta.admit(h.typeflag, h.size, at);
      need(pos + h.size, "meta header", at);
      meta.add(h, await r.bytes(pos, h.size), at); // a `g` entry is not a member
      pos += padded(h.size);
      continue;
    }
    const stored = meta.apply(h, b, 0, at);
    if (meta.sparse) {
      throw new LayerlintError("TAR_INVALID", `member ${JSON.stringify(h.name)} at offset ${at} is a sparse file, whose stored bytes are not its content`);
    }
    // Only the data must be there: Go reads the padding with tryReadFull, and a short read is io.EOF.
    need(pos + stored, `member ${JSON.stringify(h.name)}`, at);
    if (++count > maxMembers) throw new LayerlintError("LIMIT_EXCEEDED", `more than ${maxMembers} tar members`);
    // A later duplicate wins, as when the archive is extracted.
    members.set(memberName(h.name), { name: memberName(h.name), type: h.type, linkname: h.linkname, offset: pos, size: stored });
    pos += padded(stored);
  }
  return members;
}

/**
 * Indexes the members of a tar file by lightly canonical name. Errors are
 * one-line LayerlintErrors naming the file: ARCHIVE_INVALID for a non-tar or
 * damaged archive, LIMIT_EXCEEDED for caps, NOT_FOUND for a missing file.
 */
export async function indexTarFile(path: string, limits: TarIndexLimits = {}): Promise<Map<string, TarMember>> {
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new LayerlintError("NOT_FOUND", `${path}: no such file`, { cause: e });
    throw e;
  }
  try {
    const { size } = await fh.stat();
    if (size < BLOCK) throw new LayerlintError("ARCHIVE_INVALID", `${path}: not a tar archive`);
    return await scan(new BlockReader(fh, size), limits);
  } catch (e) {
    if (isLayerlintError(e) && e.code === "TAR_INVALID") throw new LayerlintError("ARCHIVE_INVALID", `${path}: ${e.message}`, { cause: e });
    if (isLayerlintError(e) && e.code === "LIMIT_EXCEEDED") throw new LayerlintError("LIMIT_EXCEEDED", `${path}: ${e.message}`, { cause: e });
    throw e;
  } finally {
    await fh.close();
  }
}
