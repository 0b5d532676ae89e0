import { LayerlintError } from "./errors.js";

/**
 * A scan-wide budget of decoder memory, in bytes, shared by every layer in
 * flight on every thread. zstd decoders take what their frames' headers
 * declare before they decode (zstd-frames.ts); a layer whose reservation
 * does not fit waits until other layers end. Concurrency then shrinks to
 * what the budget allows: sixteen layers with 128 MiB windows decode two at
 * a time in 256 MiB instead of needing 2 GiB at once.
 *
 * Grants are first come, first served. A layer that holds memory may need
 * more (a later frame declares a larger window); when every holder waits for
 * more, none could ever release, so the oldest request is granted over the
 * budget. That takes layers whose frames grow in window size, and then the
 * excess is at most one frame's allocation.
 */
export class DecoderBudget {
  private used = 0;
  private readonly queue: Request[] = [];
  private readonly holders = new Set<DecoderAccount>();

  /** `signal` (the scan's) rejects every wait once it aborts. */
  constructor(
    readonly capacity: number,
    private readonly signal?: AbortSignal,
  ) {
    signal?.addEventListener("abort", () => this.abortAll(), { once: true });
  }

  /** One layer's account. Release it once the layer's decoder is gone. */
  account(): DecoderAccount {
    return new DecoderAccount(this);
  }

  /** Bytes currently granted (tests and diagnostics). */
  get inUse(): number {
    return this.used;
  }

  /** @internal */
  request(acc: DecoderAccount, total: number): Promise<void> | undefined {
    if (total <= acc.held) return undefined;
    if (total > this.capacity) {
      throw new LayerlintError(
        "LIMIT_EXCEEDED",
        `zstd: a frame needs ${mib(total)} of decoder memory, over the ${mib(this.capacity)} budget (limits.maxDecoderBytes)`,
      );
    }
    if (this.queue.length === 0 && this.used - acc.held + total <= this.capacity) {
      this.grant(acc, total);
      return undefined;
    }
    this.signal?.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ acc, total, resolve, reject });
      this.pump();
    });
  }

  private abortAll(): void {
    for (const req of this.queue.splice(0)) req.reject(this.signal!.reason);
  }

  /** @internal */
  release(acc: DecoderAccount): void {
    for (const req of this.queue.filter((r) => r.acc === acc)) this.drop(req);
    this.used -= acc.held;
    acc.held = 0;
    this.holders.delete(acc);
    this.pump();
  }

  private grant(acc: DecoderAccount, total: number): void {
    this.used += total - acc.held;
    acc.held = total;
    this.holders.add(acc);
  }

  private drop(req: Request): void {
    const i = this.queue.indexOf(req);
    if (i >= 0) this.queue.splice(i, 1);
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let next = this.queue[0]!;
      if (this.used - next.acc.held + next.total > this.capacity) {
        if (!this.stuck()) return;
        // The oldest request of a layer that holds memory: granting a new layer would not unblock anyone.
        next = this.queue.find((r) => this.holders.has(r.acc))!;
      }
      this.drop(next);
      this.grant(next.acc, next.total);
      next.resolve();
    }
  }

  /** Every layer holding memory is itself waiting for more: nothing will be released. */
  private stuck(): boolean {
    if (this.holders.size === 0) return false;
    let waiting = 0;
    for (const req of this.queue) if (this.holders.has(req.acc)) waiting++;
    return waiting === this.holders.size;
  }
}

interface Request {
  acc: DecoderAccount;
  total: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** One layer's share of a DecoderBudget. */
export class DecoderAccount {
  /** Bytes granted to this layer. */
  held = 0;

  constructor(private readonly budget: DecoderBudget) {}

  /**
   * Raises this layer's reservation to `total` bytes. Returns undefined when
   * granted at once, else a promise that resolves once granted (or rejects
   * when the budget's signal aborts). Throws LIMIT_EXCEEDED when `total` exceeds the
   * whole budget.
   */
  reserve(total: number): Promise<void> | undefined {
    return this.budget.request(this, total);
  }

  release(): void {
    this.budget.release(this);
  }
}

/** `128 MiB`, `1.5 MiB`: sizes in the messages of the decoder limits. */
export function mib(n: number): string {
  return `${Math.round((n / (1024 * 1024)) * 10) / 10} MiB`;
}
