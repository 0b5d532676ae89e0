/**
 * Index of an outer tar on disk (docker save / OCI layout tar, SPECS.md §5):
 * headers are read with positioned reads and content is seeked over, so a
 * multi-GB archive costs one small read per member. Members are then read in
 * place at `offset`. Header rules are those of the streaming walker (§7):
 * same block decoder, same PAX parser, same meta-header state.
 */
import { open, type FileHandle } from "node:fs/promises";
import { isLayerlintError, LayerlintError } from "../errors.js";
import {
  BLOCK,
  checkBlock,
  decodeHeader,
  extensionContinues,
  finishHeader,
  FLAG_GNU_SPARSE,
  hasSparseExtension,
  isMetaFlag,
  padded,
} from "./header-block.js";
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
  /** PAX/GNU-long-name record cap, default 1 MiB. */
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
    if (ck === -1) break; // end-of-archive marker: nothing after it counts
    if (ck === 0) throw new LayerlintError("TAR_INVALID", pos === 0 ? "not a tar archive" : `tar header checksum mismatch at offset ${pos}`);
    const h = decodeHeader(b, 0, pos);
    const at = pos;
    pos += BLOCK;
    if (isMetaFlag(h.typeflag)) {
      meta.admit(h.typeflag, h.size, at);
      need(pos + padded(h.size), "meta header", at);
      meta.add(h.typeflag, await r.bytes(pos, h.size));
      pos += padded(h.size);
      continue;
    }
    meta.apply(h);
    finishHeader(h);
    if (h.typeflag === FLAG_GNU_SPARSE && hasSparseExtension(b, 0)) {
      for (;;) {
        need(pos + BLOCK, "GNU sparse extension", pos);
        const more = extensionContinues(await r.block(pos), 0);
        pos += BLOCK;
        if (!more) break;
      }
    }
    need(pos + padded(h.size), `member ${JSON.stringify(h.name)}`, at);
    if (++count > maxMembers) throw new LayerlintError("LIMIT_EXCEEDED", `more than ${maxMembers} tar members`);
    // A later duplicate wins, as when the archive is extracted.
    members.set(memberName(h.name), { name: memberName(h.name), type: h.type, linkname: h.linkname, offset: pos, size: h.size });
    pos += padded(h.size);
  }
  if (meta.pending) throw new LayerlintError("TAR_INVALID", `tar ${meta.describePending()} has no entry after it`);
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
