/**
 * The members of an outer tar (docker save, oci-archive) read in one
 * sequential pass, for inputs that cannot be read by offset: a pipe, or a
 * compressed archive. The header rules are the in-place index's
 * (tar-file-index.ts), which are Go's archive/tar's: the same block
 * decoder, PAX parser and meta-header state, PAX global headers skipped,
 * sparse members refused, the archive ended by a zero block followed by
 * another or by the end of the input
 * (https://github.com/golang/go/blob/master/src/archive/tar/reader.go).
 */
import { LayerlintError } from "../errors.js";
import { BLOCK, checkBlock, checkStoredSize, decodeHeader, isMetaFlag, padded } from "../tar/header-block.js";
import { DEFAULT_MAX_META_BYTES, MetaState } from "../tar/meta-state.js";
import { memberName } from "../tar/tar-file-index.js";
import type { TarType } from "../tar/tar-header.js";

export interface ArchiveMember {
  /** Lightly canonical (memberName): no leading "./" or "/", no trailing "/". */
  name: string;
  type: TarType;
  linkname: string;
  size: number;
}

const EMPTY = new Uint8Array(0);

/**
 * After the end-of-archive blocks, bytes still read and dropped so that the
 * writer (`docker save`, `cat`) finishes without a broken pipe: tar pads its
 * output to a 10 KiB record. Past this the rest is left unread.
 */
const MAX_TRAILING_BYTES = 1024 * 1024;

/** Pulls bytes from an async source on demand: views of its chunks where possible. */
class Pull {
  private readonly it: AsyncIterator<Uint8Array>;
  private cur: Uint8Array = EMPTY;
  private pos = 0;
  private ended = false;
  /** Bytes consumed so far: the archive offset of the next byte. */
  offset = 0;

  constructor(src: AsyncIterable<Uint8Array>) {
    this.it = src[Symbol.asyncIterator]();
  }

  private async fill(): Promise<boolean> {
    while (this.pos === this.cur.length) {
      if (this.ended) return false;
      const r = await this.it.next();
      if (r.done) {
        this.ended = true;
        return false;
      }
      this.cur = r.value;
      this.pos = 0;
    }
    return true;
  }

  /** Up to `max` bytes as a view of one chunk; undefined at the end of the input. */
  async piece(max: number): Promise<Uint8Array | undefined> {
    if (!(await this.fill())) return undefined;
    const n = Math.min(max, this.cur.length - this.pos);
    const out = this.cur.subarray(this.pos, this.pos + n);
    this.pos += n;
    this.offset += n;
    return out;
  }

  /** Exactly `n` bytes (copied when they span chunks); fewer only at the end of the input. */
  async exact(n: number): Promise<Uint8Array> {
    const first = await this.piece(n);
    if (first === undefined || first.length === n) return first ?? EMPTY;
    const out = new Uint8Array(n);
    out.set(first);
    let fill = first.length;
    while (fill < n) {
      const p = await this.piece(n - fill);
      if (p === undefined) return out.subarray(0, fill);
      out.set(p, fill);
      fill += p.length;
    }
    return out;
  }

  /** Drops `n` bytes; returns how many there were. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      const p = await this.piece(left);
      if (p === undefined) break;
      left -= p.length;
    }
    return n - left;
  }
}

function truncated(what: string, at: number): never {
  throw new LayerlintError("TAR_INVALID", `truncated tar: ${what} at offset ${at} ends past the end of the input`);
}

export class ArchiveMembers {
  private readonly pull: Pull;
  private readonly meta: MetaState;
  /** Content bytes of the current member not yet read, and its padding after them. */
  private left = 0;
  private pad = 0;
  private current: ArchiveMember | undefined;
  private count = 0;
  private done = false;

  constructor(
    src: AsyncIterable<Uint8Array>,
    private readonly maxMembers = 1_000_000,
  ) {
    this.pull = new Pull(src);
    this.meta = new MetaState(DEFAULT_MAX_META_BYTES);
  }

  /** Bytes of the (uncompressed) archive consumed so far. */
  get offset(): number {
    return this.pull.offset;
  }

  /**
   * The next member's header, the rest of the previous member's content
   * skipped; undefined at the end of the archive. Directories, devices and
   * other entries are returned too: the caller ignores what it has no use for.
   */
  async next(): Promise<ArchiveMember | undefined> {
    if (this.done) return undefined;
    if (this.current !== undefined) {
      const at = this.pull.offset;
      const want = this.left + this.pad;
      if ((await this.pull.skip(want)) !== want) truncated(`member ${JSON.stringify(this.current.name)}`, at);
      this.left = this.pad = 0;
      this.current = undefined;
    }
    for (;;) {
      const at = this.pull.offset;
      const b = await this.pull.exact(BLOCK);
      if (b.length === 0 && at === 0) throw new LayerlintError("TAR_INVALID", "not a tar archive");
      if (b.length < BLOCK) truncated("header", at);
      const ck = checkBlock(b, 0);
      if (ck === -1) {
        // A pending x/L/K header is dropped with the end, as Go's Reader.Next drops it with io.EOF.
        const second = await this.pull.exact(BLOCK);
        if (second.length > 0 && (second.length < BLOCK || checkBlock(second, 0) !== -1)) {
          throw new LayerlintError("TAR_INVALID", `tar header after a lone zero block at offset ${at + BLOCK}`);
        }
        this.done = true;
        await this.pull.skip(MAX_TRAILING_BYTES);
        return undefined;
      }
      if (ck === 0) throw new LayerlintError("TAR_INVALID", at === 0 ? "not a tar archive" : `tar header checksum mismatch at offset ${at}`);
      const h = decodeHeader(b, 0, at);
      checkStoredSize(h, at);
      if (isMetaFlag(h.typeflag)) {
        this.meta.admit(h.typeflag, h.size, at);
        const payload = await this.pull.exact(h.size);
        if (payload.length < h.size) truncated("meta header", at);
        // Input chunks are never reused, so the state may keep this view. A `g` entry is not a member.
        this.meta.add(h, payload, at);
        const gap = padded(h.size) - h.size;
        if ((await this.pull.skip(gap)) !== gap) truncated("meta header", at);
        continue;
      }
      const stored = this.meta.apply(h, b, 0, at);
      if (this.meta.sparse) {
        throw new LayerlintError("TAR_INVALID", `member ${JSON.stringify(h.name)} at offset ${at} is a sparse file, whose stored bytes are not its content`);
      }
      if (++this.count > this.maxMembers) throw new LayerlintError("LIMIT_EXCEEDED", `more than ${this.maxMembers} tar members`);
      this.left = stored;
      this.pad = padded(stored) - stored;
      this.current = { name: memberName(h.name), type: h.type, linkname: h.linkname, size: stored };
      return this.current;
    }
  }

  /** The current member's content, up to `max` bytes at a time (views of the input); undefined once it is all read. */
  async read(max = Number.POSITIVE_INFINITY): Promise<Uint8Array | undefined> {
    if (this.left === 0) return undefined;
    const at = this.pull.offset;
    const p = await this.pull.piece(Math.min(max, this.left));
    if (p === undefined) truncated(`member ${JSON.stringify(this.current?.name ?? "")}`, at);
    this.left -= p.length;
    return p;
  }

  /** Exactly `n` bytes of the current member's content (n ≤ what is left). */
  async readExact(n: number): Promise<Uint8Array> {
    const at = this.pull.offset;
    const b = await this.pull.exact(n);
    if (b.length < n) truncated(`member ${JSON.stringify(this.current?.name ?? "")}`, at);
    this.left -= n;
    return b;
  }
}
