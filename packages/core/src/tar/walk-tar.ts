/**
 * Push-style streaming tar walker. One pass, metadata plus capped content
 * prefixes (DESIGN.md §1), with the tar rules of SPECS.md §7.
 *
 * Speed: headers are decoded in place inside the source chunk; only a header
 * that straddles two chunks is copied, into a 512-byte carry buffer. File
 * payloads are skipped by arithmetic and copied only when the visitor asks
 * for a prefix. The source is always read to EOF, since callers hash it.
 */
import { LayerlintError } from "../errors.js";
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
import type { TarHeader } from "./tar-header.js";

export interface TarVisitor {
  /** Called for every real entry (meta headers already applied). Return how many leading content bytes to capture (0 = none). */
  entry(h: TarHeader): number;
  /** Called with the captured prefix (≤ requested, ≤ size) when entry() asked for bytes. */
  content?(h: TarHeader, bytes: Uint8Array): void;
}

export interface TarLimits {
  /** PAX/GNU-long-name record cap, default 1 MiB. */
  maxMetaBytes?: number;
}

// What the next bytes are.
const S_BLOCK = 0; // a 512-byte block (see blockMode)
const S_CAPTURE = 1; // content bytes the visitor asked for
const S_META = 2; // payload of a meta header
const S_DRAIN = 3; // after the end-of-archive blocks: read and discard

// What the next block is.
const B_HEADER = 0;
const B_SPARSE_EXT = 1; // old-GNU sparse map extension
const B_AFTER_ZERO = 2; // one zero block seen: a second one ends the archive

const EMPTY = new Uint8Array(0);

function truncated(what: string, at: number): never {
  throw new LayerlintError("TAR_INVALID", `truncated tar: ${what} at offset ${at}`);
}

function toBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

export async function walkTar(
  source: AsyncIterable<Uint8Array>,
  visitor: TarVisitor,
  limits?: TarLimits,
): Promise<{ entries: number; bytes: number }> {
  const meta = new MetaState(limits?.maxMetaBytes ?? DEFAULT_MAX_META_BYTES);
  const carry = Buffer.alloc(BLOCK);
  let carried = 0;
  let blockAt = 0; // archive offset of the block being gathered
  let state = S_BLOCK;
  let blockMode = B_HEADER;
  let skip = 0; // bytes to discard before `state` resumes
  let total = 0;
  let entries = 0;

  let cur: TarHeader | undefined; // last real entry, for capture and errors
  let curAt = 0;
  let curWant = 0; // capture request held over old-GNU sparse extension blocks
  let buf: Uint8Array = EMPTY; // capture or meta buffer being filled
  let fill = 0;
  let after = 0; // bytes to skip once `buf` is full
  let metaFlag = 0;

  /** After a real header (and any sparse extensions): capture or skip its content. */
  const startContent = (h: TarHeader, want: number): void => {
    const stored = padded(h.size);
    const n = want > 0 && visitor.content ? Math.min(Math.floor(want), h.size) : 0;
    if (n > 0) {
      buf = new Uint8Array(n);
      fill = 0;
      after = stored - n;
      state = S_CAPTURE;
    } else {
      if (want > 0 && visitor.content) visitor.content(h, new Uint8Array(0));
      skip = stored;
    }
  };

  /** Handles one complete block; `b[o..o+512)` is valid only during the call. */
  const onBlock = (b: Buffer, o: number, at: number): void => {
    if (blockMode === B_SPARSE_EXT) {
      // Sparse map blocks have no checksum; only "another one follows" matters.
      if (!extensionContinues(b, o)) {
        blockMode = B_HEADER;
        startContent(cur!, curWant);
      }
      return;
    }
    const ck = checkBlock(b, o);
    if (blockMode === B_AFTER_ZERO) {
      if (ck !== -1) throw new LayerlintError("TAR_INVALID", `tar header after a lone zero block at offset ${at}`);
      state = S_DRAIN; // end of archive
      return;
    }
    if (ck === -1) {
      if (meta.pending) throw new LayerlintError("TAR_INVALID", `tar ${meta.describePending()} followed by end of archive at offset ${at}`);
      blockMode = B_AFTER_ZERO;
      return;
    }
    if (ck === 0) throw new LayerlintError("TAR_INVALID", `tar header checksum mismatch at offset ${at}`);
    const h = decodeHeader(b, o, at);
    if (isMetaFlag(h.typeflag)) {
      meta.admit(h.typeflag, h.size, at);
      metaFlag = h.typeflag;
      cur = h;
      curAt = at;
      buf = new Uint8Array(h.size);
      fill = 0;
      after = padded(h.size) - h.size;
      if (h.size > 0) state = S_META;
      else meta.add(metaFlag, buf);
      return;
    }
    meta.apply(h);
    finishHeader(h);
    if (h.size > Number.MAX_SAFE_INTEGER - BLOCK) throw new LayerlintError("TAR_INVALID", `tar entry size ${h.size} is not sensible at offset ${at}`);
    entries++;
    cur = h;
    curAt = at;
    const want = visitor.entry(h);
    if (h.typeflag === FLAG_GNU_SPARSE && hasSparseExtension(b, o)) {
      curWant = want;
      blockMode = B_SPARSE_EXT;
    } else {
      startContent(h, want);
    }
  };

  for await (const chunk of source) {
    const data = toBuffer(chunk);
    const len = data.length;
    const base = total;
    total += len;
    let pos = 0;
    while (pos < len) {
      if (skip > 0) {
        // Payloads and padding: arithmetic only.
        const n = len - pos;
        if (skip >= n) { skip -= n; break; }
        pos += skip;
        skip = 0;
        continue;
      }
      if (state === S_BLOCK) {
        if (carried === 0 && len - pos >= BLOCK) {
          pos += BLOCK;
          onBlock(data, pos - BLOCK, base + pos - BLOCK);
          continue;
        }
        if (carried === 0) blockAt = base + pos;
        const n = Math.min(BLOCK - carried, len - pos);
        data.copy(carry, carried, pos, pos + n);
        carried += n;
        pos += n;
        if (carried === BLOCK) {
          carried = 0;
          onBlock(carry, 0, blockAt);
        }
        continue;
      }
      if (state === S_DRAIN) break;
      // S_CAPTURE or S_META: fill `buf`.
      const n = Math.min(buf.length - fill, len - pos);
      buf.set(data.subarray(pos, pos + n), fill);
      fill += n;
      pos += n;
      if (fill < buf.length) continue;
      if (state === S_CAPTURE) visitor.content!(cur!, buf);
      else meta.add(metaFlag, buf);
      buf = EMPTY;
      skip = after;
      state = S_BLOCK;
    }
  }

  // End of stream: fine on a block boundary between entries (with or without
  // the end-of-archive blocks), truncated anywhere else.
  if (skip > 0 || state === S_CAPTURE || state === S_META) {
    const end = curAt + BLOCK + padded(cur?.size ?? 0);
    truncated(`entry ${JSON.stringify(cur?.name ?? "")} needs ${end} bytes, stream has ${total}`, curAt);
  }
  if (state === S_BLOCK) {
    if (carried > 0) truncated(`partial header block`, blockAt);
    if (blockMode === B_SPARSE_EXT) truncated(`missing GNU sparse extension block`, total);
    if (blockMode === B_HEADER && meta.pending) {
      throw new LayerlintError("TAR_INVALID", `tar ${meta.describePending()} at offset ${curAt} has no entry after it`);
    }
  }
  return { entries, bytes: total };
}
