import { Readable } from "node:stream";
import { LayerlintError } from "../errors.js";
import { defaultTimeouts, header, type HttpResponse } from "./http.js";
import { isRetryableError, retryDelay, sleep, type RetryPolicy } from "./retry.js";

export interface BlobReaderOptions {
  /** GET the blob again from byte `from` (`Range: bytes=N-`). */
  refetch: (from: number) => Promise<HttpResponse>;
  /** The error for an answer that is neither 200 nor 206. */
  refused: (res: HttpResponse) => Promise<Error>;
  /** The error the stream ends with when a failure is not resumed. */
  fail: (e: unknown) => Error;
  policy: RetryPolicy;
  /** Names the blob in messages: `127.0.0.1:5000: blob sha256:ab12…`. */
  what: string;
  signal?: AbortSignal | undefined;
  /** Bytes of the blob passed on so far, after each chunk. */
  onBytes?: ((offset: number) => void) | undefined;
  onEnd?: (() => void) | undefined;
  /** The rate rule (Timeouts.blobWindowMs, blobMinBytes; their defaults): at least minBytes per windowMs of download time. */
  windowMs?: number | undefined;
  minBytes?: number | undefined;
}

/**
 * A registry blob as one stream of its bytes, resumed after a dropped
 * connection with a Range request
 * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-blobs):
 * 206 continues where we were, a plain 200 restarts and the bytes already
 * passed on are skipped. Chunks travel by 'data' events from the response
 * body, one stream hop and no promise per chunk. openLayer verifies size
 * and digest downstream.
 *
 * The body must keep moving (Timeouts.blobWindowMs, blobMinBytes): time is
 * counted only while the reader wants data, so a scan that holds the
 * stream back is never taken for a slow server.
 */
export class BlobReader extends Readable {
  private body: Readable | undefined;
  private offset = 0;
  private skip = 0;
  private resumes = 0;
  /** Download time counted in the current window, and where the window started. */
  private active = 0;
  private windowFrom = 0;
  private last = Date.now();
  private paused = false;
  private readonly ticker: NodeJS.Timeout;
  private readonly windowMs: number;
  private readonly minBytes: number;

  constructor(
    first: HttpResponse,
    private readonly o: BlobReaderOptions,
  ) {
    super({ highWaterMark: 256 * 1024 });
    this.windowMs = o.windowMs ?? defaultTimeouts.blobWindowMs;
    this.minBytes = o.minBytes ?? defaultTimeouts.blobMinBytes;
    this.attach(first.body, 0);
    this.ticker = setInterval(() => this.tick(), Math.min(1000, Math.max(10, this.windowMs / 5)));
    this.ticker.unref();
  }

  /** Adds the time since the last call to the window, unless the consumer held the stream back. */
  private accrue(): void {
    const now = Date.now();
    if (!this.paused) this.active += now - this.last;
    this.last = now;
  }

  private tick(): void {
    this.accrue();
    if (this.active < this.windowMs) return;
    const got = this.offset - this.windowFrom;
    if (got < this.minBytes) {
      const s = this.windowMs / 1000;
      this.stop();
      this.body?.destroy();
      this.body = undefined;
      this.destroy(
        new LayerlintError(
          "NETWORK_ERROR",
          `${this.o.what}: download too slow: ${got} bytes in ${s} s, under the minimum of ${this.minBytes} bytes per ${s} s`,
        ),
      );
      return;
    }
    this.active = 0;
    this.windowFrom = this.offset;
  }

  private stop(): void {
    clearInterval(this.ticker);
  }

  private attach(body: Readable, skip: number): void {
    this.body = body;
    this.skip = skip;
    body.on("data", (chunk: Buffer) => {
      let c = chunk;
      if (this.skip > 0) {
        const drop = Math.min(this.skip, c.length);
        this.skip -= drop;
        c = c.subarray(drop);
        if (c.length === 0) return;
      }
      this.offset += c.length;
      this.o.onBytes?.(this.offset);
      if (!this.push(c)) {
        body.pause();
        this.accrue();
        this.paused = true;
      }
    });
    body.once("end", () => {
      this.stop();
      this.body = undefined;
      this.o.onEnd?.();
      this.push(null);
    });
    body.once("error", (e) => this.failed(e));
  }

  override _read(): void {
    if (this.paused) {
      this.accrue();
      this.paused = false;
    }
    this.body?.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.stop();
    this.body?.destroy();
    this.body = undefined;
    callback(error);
  }

  private failed(e: unknown): void {
    this.body?.destroy();
    this.body = undefined;
    if (this.destroyed) return;
    if (e instanceof LayerlintError || this.o.signal?.aborted || !isResumable(e) || ++this.resumes >= this.o.policy.attempts) {
      this.destroy(this.o.fail(e));
      return;
    }
    void this.resumeAfter(retryDelay(this.o.policy, this.resumes));
  }

  private async resumeAfter(delayMs: number): Promise<void> {
    try {
      await sleep(delayMs, this.o.signal);
      if (this.destroyed) return;
      const res = await this.o.refetch(this.offset);
      if (this.destroyed) {
        res.body.destroy();
        return;
      }
      if (res.status === 200) {
        res.stream();
        this.attach(res.body, this.offset);
      } else if (res.status === 206) {
        const start = /^bytes\s+(\d+)-/.exec(header(res.headers, "content-range") ?? "")?.[1];
        if (Number(start) !== this.offset) {
          res.body.destroy();
          throw new LayerlintError("REGISTRY_ERROR", `${this.o.what}: resume answered the wrong range`);
        }
        res.stream();
        this.attach(res.body, 0);
      } else {
        throw await this.o.refused(res);
      }
    } catch (e) {
      this.failed(e);
    }
  }
}

/** A body cut off mid-way: worth resuming from the byte reached. */
export function isResumable(e: unknown): boolean {
  return isRetryableError(e) || (e as { code?: unknown })?.code === "ERR_STREAM_PREMATURE_CLOSE";
}
