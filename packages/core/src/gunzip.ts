import zlib from "node:zlib";
import { decompressError, LayerlintError } from "./errors.js";
import { Mailbox } from "./worker/mailbox.js";

/**
 * gzip layers (RFC 1952): the member framing read here, the deflate data
 * inflated by zlib in raw mode on the libuv thread pool.
 *
 * Why not zlib.createGunzip: it also computes the CRC-32 of every output
 * byte, which measured 5% of a whole scan's CPU (perf, bench image). The
 * SHA-256 diff_id check that follows every layer covers the same bytes and
 * more, and the stored bytes are digest-checked too, so the CRC adds no
 * assurance here; it is read and not recomputed. ISIZE (the length mod
 * 2^32) is checked, as gunzip does.
 *
 * Behaviour otherwise matches Node's gunzip, messages included: members
 * are concatenated; after a member, a NUL byte ends the stream and whatever
 * follows is read and ignored (padding); any other byte must start a new
 * member ("incorrect header check"); a cut anywhere is "unexpected end of
 * file". Errors from `src` pass through unchanged; decoder errors are
 * DECOMPRESS_FAILED "gzip: …". Output is produced as fast as it is read.
 */
export async function* gunzip(src: AsyncIterable<Uint8Array>, chunkSize: number): AsyncGenerator<Uint8Array> {
  const input = new Input(src);
  try {
    for (;;) {
      await skipHeader(input);
      let out = 0;
      for await (const chunk of inflateMember(input, chunkSize)) {
        out += chunk.length;
        yield chunk;
      }
      const trailer = await input.take(8);
      if (trailer.length < 8) throw gzipError("unexpected end of file");
      // ISIZE, little-endian, at offset 4 (the CRC-32 before it is not recomputed; see above).
      const isize = (trailer[4]! | (trailer[5]! << 8) | (trailer[6]! << 16) | (trailer[7]! << 24)) >>> 0;
      if (isize !== out % 0x1_0000_0000) throw gzipError("incorrect length check");
      const next = await input.next();
      if (next === undefined) return;
      if (next[0] === 0) {
        // Padding after the last member: read to EOF (upstream checks the digest there).
        while ((await input.next()) !== undefined);
        return;
      }
      input.unshift(next);
    }
  } finally {
    await input.close();
  }
}

function gzipError(message: string): LayerlintError {
  return decompressError("gzip", message);
}

const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const FRESERVED = 0xe0;

/** Reads past one member header; the header CRC (FHCRC) is skipped, like the body's. */
async function skipHeader(input: Input): Promise<void> {
  const fixed = await input.take(10);
  if (fixed.length >= 2 && (fixed[0] !== 0x1f || fixed[1] !== 0x8b)) throw gzipError("incorrect header check");
  if (fixed.length < 10) throw gzipError("unexpected end of file");
  if (fixed[2] !== 8) throw gzipError("unknown compression method");
  const flags = fixed[3]!;
  if (flags & FRESERVED) throw gzipError("unknown header flags set");
  if (flags & FEXTRA) {
    const len = await input.take(2);
    if (len.length < 2) throw gzipError("unexpected end of file");
    await input.skip(len[0]! | (len[1]! << 8));
  }
  if (flags & FNAME) await input.skipPast(0);
  if (flags & FCOMMENT) await input.skipPast(0);
  if (flags & FHCRC) await input.skip(2);
}

type Event =
  | { k: "data"; chunk: Uint8Array }
  | { k: "written" }
  | { k: "end" }
  | { k: "error"; error: unknown };

/** Output chunks queued before zlib is paused. */
const MAX_QUEUED = 4;
/** Input chunks handed to zlib and not yet called back. */
const MAX_IN_FLIGHT = 2;

/**
 * One member's deflate data. zlib stops at the end of the deflate stream;
 * how many bytes it consumed (bytesWritten) says where the trailer starts,
 * and whatever was fed beyond that goes back to `input`.
 */
async function* inflateMember(input: Input, chunkSize: number): AsyncGenerator<Uint8Array> {
  const inflater = zlib.createInflateRaw({ chunkSize });
  const events = new Mailbox<Event>();
  let queued = 0;
  inflater.on("data", (chunk: Uint8Array) => {
    events.put({ k: "data", chunk });
    if (++queued >= MAX_QUEUED) inflater.pause();
  });
  inflater.once("end", () => events.put({ k: "end" }));
  inflater.once("error", (error) => events.put({ k: "error", error }));

  // Chunks fed in this member and not yet known to be consumed, oldest
  // first; `fedBefore` is the member offset of fed[0].
  const fed: Uint8Array[] = [];
  let fedBefore = 0;
  let inFlight = 0;
  let reading: Promise<void> | undefined;
  let late: Uint8Array | undefined; // read after the member ended: not written
  let inputDone = false;
  let ended = false;

  const feed = (): void => {
    if (reading || inputDone || ended || inFlight >= MAX_IN_FLIGHT) return;
    reading = input.next().then(
      (chunk) => {
        reading = undefined;
        if (ended) {
          late = chunk;
          return;
        }
        if (chunk === undefined) {
          inputDone = true;
          inflater.end();
          return;
        }
        fed.push(chunk);
        inFlight++;
        inflater.write(chunk, () => events.put({ k: "written" }));
        feed();
      },
      (error: unknown) => {
        reading = undefined;
        if (!ended) events.put({ k: "error", error: new SourceError(error) });
        throw new SourceError(error);
      },
    );
    // Rejections are delivered through `events` (or rethrown when awaited at the end).
    reading.catch(() => {});
  };

  /** Forgets the chunks zlib has consumed to their end; the rest may hold the trailer. */
  const dropConsumed = (): void => {
    const consumed = inflater.bytesWritten;
    while (fed.length > 0 && fedBefore + fed[0]!.length <= consumed) fedBefore += fed.shift()!.length;
  };

  try {
    feed();
    for (;;) {
      const ev = await events.take();
      if (ev.k === "data") {
        if (--queued < MAX_QUEUED && inflater.isPaused()) inflater.resume();
        yield ev.chunk;
      } else if (ev.k === "written") {
        inFlight--;
        dropConsumed();
        feed();
      } else if (ev.k === "end") {
        ended = true;
        // A read still under way belongs after what was fed: wait for it.
        if (reading !== undefined) {
          try {
            await reading;
          } catch (e) {
            throw e instanceof SourceError ? e.cause : e;
          }
        }
        dropConsumed();
        const rest = fed.map((c, i) => (i === 0 ? c.subarray(inflater.bytesWritten - fedBefore) : c));
        if (late !== undefined) rest.push(late);
        for (let i = rest.length - 1; i >= 0; i--) input.unshift(rest[i]!);
        return;
      } else {
        if (ev.error instanceof SourceError) throw ev.error.cause;
        if (ev.error instanceof LayerlintError) throw ev.error;
        throw gzipError((ev.error as Error).message);
      }
    }
  } finally {
    ended = true;
    inflater.destroy();
  }
}

/** An error from the source stream, kept apart from the inflater's own. */
class SourceError {
  constructor(readonly cause: unknown) {}
}

/** A pull reader over `src` that can give bytes back. */
class Input {
  private readonly it: AsyncIterator<Uint8Array>;
  private readonly back: Uint8Array[] = [];
  private done = false;
  private reading = false;

  constructor(src: AsyncIterable<Uint8Array>) {
    this.it = src[Symbol.asyncIterator]();
  }

  /** The next non-empty chunk, or undefined at EOF. */
  async next(): Promise<Uint8Array | undefined> {
    if (this.back.length > 0) return this.back.pop();
    while (!this.done) {
      this.reading = true;
      let r: IteratorResult<Uint8Array>;
      try {
        r = await this.it.next();
      } finally {
        this.reading = false;
      }
      if (r.done) this.done = true;
      else if (r.value.length > 0) return r.value;
    }
    return undefined;
  }

  /** Puts bytes back in front of the next read. */
  unshift(chunk: Uint8Array): void {
    if (chunk.length > 0) this.back.push(chunk);
  }

  /** Up to `n` bytes (fewer only at EOF). */
  async take(n: number): Promise<Uint8Array> {
    const first = await this.next();
    if (first === undefined) return new Uint8Array(0);
    if (first.length >= n) {
      this.unshift(first.subarray(n));
      return first.subarray(0, n);
    }
    const out = new Uint8Array(n);
    out.set(first);
    let fill = first.length;
    while (fill < n) {
      const c = await this.next();
      if (c === undefined) return out.subarray(0, fill);
      const m = Math.min(n - fill, c.length);
      out.set(c.subarray(0, m), fill);
      fill += m;
      this.unshift(c.subarray(m));
    }
    return out;
  }

  /** Discards `n` bytes; EOF first is a cut member. */
  async skip(n: number): Promise<void> {
    while (n > 0) {
      const c = await this.next();
      if (c === undefined) throw gzipError("unexpected end of file");
      if (c.length > n) this.unshift(c.subarray(n));
      n -= Math.min(n, c.length);
    }
  }

  /** Discards bytes up to and including the first `byte`; EOF first is a cut member. */
  async skipPast(byte: number): Promise<void> {
    for (;;) {
      const c = await this.next();
      if (c === undefined) throw gzipError("unexpected end of file");
      const i = c.indexOf(byte);
      if (i >= 0) {
        this.unshift(c.subarray(i + 1));
        return;
      }
    }
  }

  /**
   * Stops the source early (a consumer that left before EOF). With a read
   * under way, the source stops once that read settles; not waited for.
   */
  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    const stopped = this.it.return?.();
    if (this.reading) stopped?.catch(() => {});
    else await stopped;
  }
}
