/**
 * An unbounded FIFO with one asynchronous reader: what arrives by message
 * waits here until the reader asks. Bounds come from the credit protocol,
 * not from the mailbox.
 */
export class Mailbox<T> {
  private readonly items: T[] = [];
  private head = 0;
  private waiter: ((item: T) => void) | undefined;

  put(item: T): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w(item);
    } else {
      this.items.push(item);
    }
  }

  /** An item already waiting, if any. */
  poll(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined as T;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    }
    return item;
  }

  take(): Promise<T> {
    if (this.head < this.items.length) return Promise.resolve(this.poll()!);
    return new Promise((resolve) => (this.waiter = resolve));
  }
}

/**
 * A byte budget shared by a sender and a receiver's acknowledgements: the
 * sender spends, waits while too much is outstanding, and acks refund.
 */
export class Credit {
  private outstanding = 0;
  private closed = false;
  private waiter: (() => void) | undefined;

  constructor(private readonly window: number) {}

  spend(bytes: number): void {
    this.outstanding += bytes;
  }

  refund(bytes: number): void {
    this.outstanding -= bytes;
    if (this.outstanding < this.window) this.wake();
  }

  /** Whether the sender may go on now: less than the window outstanding, or closed. */
  open(): boolean {
    return this.outstanding < this.window || this.closed;
  }

  /** Resolves once less than the window is outstanding, or once closed. */
  async ready(): Promise<void> {
    while (!this.open()) await new Promise<void>((r) => (this.waiter = r));
  }

  /** The other side went away: release the sender for good. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
