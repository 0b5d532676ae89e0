/**
 * Push-style streaming tar walker: one pass, metadata plus capped content
 * prefixes. It reads what Go's archive/tar reads
 * (https://github.com/golang/go/blob/master/src/archive/tar/reader.go),
 * because containerd, moby, podman and buildkit apply layers with it: the
 * same entries, names, types, sizes and errors (see header-block.ts,
 * meta-state.ts, pax.ts, sparse.ts for the rules).
 *
 * The end of the archive is where Go's Reader.Next returns io.EOF: two zero
 * blocks, one zero block then the end of the stream, the end of the stream
 * between entries, or inside the padding after an entry's data (Next reads
 * the padding with tryReadFull, which turns a short read into io.EOF). A
 * pending `x`/`L`/`K` header there is dropped, as Next drops it: the
 * runtimes accept such a layer, so it is not an error here either.
 *
 * Stricter than Go, on purpose (an error, never a different tree): names
 * over PATH_MAX, ids and modes over 2^53, sparse data that does not match
 * its map even where a runtime would not read it, and a `g` header whose
 * path Go applies at random.
 *
 * Speed: headers are decoded in place inside the source chunk; only a header
 * that straddles two chunks is copied, into a 512-byte carry buffer. File
 * payloads are skipped by arithmetic and copied only when the visitor asks
 * for a prefix. The source is always read to EOF, since callers hash it.
 */
import { LayerlintError } from "../errors.js";
import { addOldGnuEntries, invalidSparse, type SparsePlan } from "./sparse.js";
import { BLOCK, checkBlock, checkStoredSize, decodeHeader, extensionContinues, isMetaFlag, padded } from "./header-block.js";
import { DEFAULT_MAX_META_BYTES, MetaState } from "./meta-state.js";
import type { TarHeader } from "./tar-header.js";

export interface TarVisitor {
  /**
   * Called for every entry Go's Reader.Next returns (meta headers applied;
   * `g` headers as type "pax-global"). Return how many leading content bytes
   * to capture (0 = none). Ignored for sparse and pax-global entries, whose
   * stored bytes are not their content.
   */
  entry(h: TarHeader): number;
  /** Called with the captured prefix (≤ requested, ≤ size) when entry() asked for bytes. */
  content?(h: TarHeader, bytes: Uint8Array): void;
}

export interface TarLimits {
  /** Cap on each PAX/GNU meta header's payload, default 1 MiB (Go's maxSpecialFileSize). */
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
const B_SPARSE_MAP = 3; // PAX 1.0 sparse map at the start of the entry's data

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

  let cur: TarHeader | undefined; // last header (entry or meta), for capture and errors
  let curAt = 0;
  let curEnd = 0; // archive offset where its data and padding end
  let dataEnd = 0; // archive offset where its data ends (padding not included)
  let buf: Uint8Array = EMPTY; // capture or meta buffer being filled
  let fill = 0;
  let after = 0; // bytes to skip once `buf` is full
  let plan: SparsePlan | undefined; // sparse entry whose map is being read
  let planStored = 0; // its stored data bytes not yet consumed by the map

  /** After a real, non-sparse header: capture or skip its `stored` data bytes. */
  const startContent = (h: TarHeader, stored: number, want: number, end: number): void => {
    const region = padded(stored);
    curEnd = end + region;
    dataEnd = end + stored;
    const n = want > 0 && visitor.content ? Math.min(Math.floor(want), stored) : 0;
    if (n > 0) {
      buf = new Uint8Array(n);
      fill = 0;
      after = region - n;
      state = S_CAPTURE;
    } else {
      if (want > 0 && visitor.content) visitor.content(h, EMPTY);
      skip = region;
    }
  };

  /** A sparse entry's map is complete: report it, check its stored bytes, skip them. */
  const sparseReady = (end: number): void => {
    const p = plan!;
    plan = undefined;
    blockMode = B_HEADER;
    visitor.entry(cur!);
    p.map.checkStored(planStored, curAt);
    skip = padded(planStored);
    curEnd = end + skip;
    dataEnd = end + planStored;
  };

  /** Handles one complete block; `b[o..o+512)` is valid only during the call. */
  const onBlock = (b: Buffer, o: number, at: number): void => {
    if (blockMode === B_SPARSE_EXT) {
      // Extension blocks have no checksum: 21 more entries and a continuation flag.
      addOldGnuEntries(plan!.map, b, o, 21, curAt);
      if (!extensionContinues(b, o)) {
        plan!.map.check(curAt);
        sparseReady(at + BLOCK);
      }
      return;
    }
    if (blockMode === B_SPARSE_MAP) {
      planStored -= BLOCK;
      if (plan!.reader!.block(b, o)) {
        plan!.map.check(curAt);
        sparseReady(at + BLOCK);
      } else if (planStored < BLOCK) invalidSparse("its PAX 1.0 sparse map runs past its data", curAt);
      return;
    }
    const ck = checkBlock(b, o);
    if (blockMode === B_AFTER_ZERO) {
      if (ck !== -1) throw new LayerlintError("TAR_INVALID", `tar header after a lone zero block at offset ${at}`);
      state = S_DRAIN; // end of archive
      return;
    }
    if (ck === -1) {
      // Go's readHeader returns io.EOF here (or after the next block), and next() drops a pending x/L/K with it.
      blockMode = B_AFTER_ZERO;
      return;
    }
    if (ck === 0) throw new LayerlintError("TAR_INVALID", `tar header checksum mismatch at offset ${at}`);
    const h = decodeHeader(b, o, at);
    checkStoredSize(h, at);
    cur = h;
    curAt = at;
    if (isMetaFlag(h.typeflag)) {
      meta.admit(h.typeflag, h.size, at);
      buf = new Uint8Array(h.size);
      fill = 0;
      after = padded(h.size) - h.size;
      curEnd = at + BLOCK + padded(h.size);
      dataEnd = at + BLOCK + h.size;
      if (h.size > 0) state = S_META;
      else metaDone();
      return;
    }
    const stored = meta.apply(h, b, o, at);
    entries++;
    const sparse = meta.sparse;
    if (sparse === undefined) {
      startContent(h, stored, visitor.entry(h), at + BLOCK);
      return;
    }
    // Sparse: Go reads the whole map before Next returns, so errors in it come before the entry.
    plan = sparse;
    planStored = stored;
    if (sparse.extension) blockMode = B_SPARSE_EXT;
    else if (sparse.reader === undefined) sparseReady(at + BLOCK);
    else if (stored < BLOCK) invalidSparse("its PAX 1.0 sparse map runs past its data", at);
    else blockMode = B_SPARSE_MAP;
  };

  /** A meta header's payload is complete (in `buf`). */
  const metaDone = (): void => {
    const g = meta.add(cur!, buf, curAt);
    buf = EMPTY;
    if (g !== undefined) {
      entries++;
      visitor.entry(g);
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
      skip = after;
      if (state === S_CAPTURE) {
        const full = buf;
        buf = EMPTY;
        state = S_BLOCK;
        visitor.content!(cur!, full);
      } else {
        state = S_BLOCK;
        metaDone();
      }
    }
  }

  // End of stream: fine on a block boundary between entries (with or without
  // the end-of-archive blocks) or inside an entry's padding; truncated
  // anywhere else (Go: io.ErrUnexpectedEOF). A pending meta header is dropped.
  if (state === S_CAPTURE || state === S_META || (skip > 0 && total < dataEnd)) {
    truncated(`entry ${JSON.stringify(cur?.name ?? "")} needs ${curEnd} bytes, stream has ${total}`, curAt);
  }
  if (state === S_BLOCK && skip === 0) {
    if (carried > 0) truncated(`partial header block`, blockAt);
    if (blockMode === B_SPARSE_EXT) truncated(`missing GNU sparse extension block`, total);
    if (blockMode === B_SPARSE_MAP) truncated(`GNU sparse map of entry ${JSON.stringify(cur?.name ?? "")}`, curAt);
  }
  return { entries, bytes: total };
}
