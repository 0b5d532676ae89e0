import type { Readable } from "node:stream";
import type { Worker } from "node:worker_threads";
import type { Descriptor } from "../types.js";
import type { Compression } from "../compression.js";
import type { OpenedLayer } from "../layer-stream.js";
import { LayerlintError } from "../errors.js";
import { Credit, Mailbox } from "./mailbox.js";
import { BUFFER_BYTES, INPUT_WINDOW, type FromWorker, type ToWorker } from "./protocol.js";
import type { LayerWorkers } from "./layer-workers.js";
import type { DecoderAccount } from "../decoder-budget.js";

/**
 * A worker whose layer reserved more decoder memory than this is not kept
 * for the next layer: its WebAssembly memory never shrinks, so the pages a
 * large zstd window touched would stay resident, outside the budget, until
 * the scan ends. Ending the thread returns them. Default zstd levels use
 * windows of 8 MiB or less (zstd -19), which stay under it.
 */
const KEEP_WORKER_BYTES = 16 * 1024 * 1024;

type Event = FromWorker | { t: "failed"; error: unknown };

/**
 * openLayer with the verifying and decompressing done by a worker thread:
 * same checks, same LayerlintErrors, EOF only after every check passed;
 * this thread is left the tar walk.
 *
 * The stored bytes are packed into 1 MiB buffers (one copy, which also
 * gathers small network reads) and transferred; uncompressed bytes come
 * back the same way. Each chunk yielded is valid until the next one is
 * requested: its buffer then goes back to the worker for reuse. The tar
 * walker copies whatever it keeps.
 *
 * The worker's zstd decoder asks for memory before each larger frame; the
 * request is charged to `account` (the scan's DecoderBudget) and answered
 * once granted. A worker that held memory is gone by the time the layer's
 * chunks end, so the caller may release the account then.
 */
export function openLayerInWorker(
  workers: LayerWorkers,
  blob: Readable,
  desc: Pick<Descriptor, "digest" | "size">,
  diffId: string,
  opts: { verifyDigest?: boolean; account?: DecoderAccount | undefined; onStored?: ((bytes: number) => void) | undefined } = {},
): OpenedLayer {
  let kind: Compression | undefined;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    const worker = workers.acquire();
    const events = new Mailbox<Event>();
    const inCredit = new Credit(INPUT_WINDOW);
    const spare: ArrayBuffer[] = [];
    let finished = false;
    const onMessage = (m: FromWorker) => {
      if (m.t === "ack") {
        if (m.buf) spare.push(m.buf);
        inCredit.refund(m.bytes);
      } else if (m.t === "reserve") {
        reserve(m.bytes);
      } else {
        events.put(m);
      }
    };
    const reserve = (bytes: number) => {
      const grant = () => {
        if (!finished) post({ t: "granted" });
      };
      const fail = (error: unknown) => events.put({ t: "failed", error });
      try {
        const wait = opts.account?.reserve(bytes);
        if (wait) wait.then(grant, fail);
        else grant();
      } catch (e) {
        fail(e);
      }
    };
    const onError = (error: unknown) => events.put({ t: "failed", error });
    const onExit = (code: number) =>
      events.put({ t: "failed", error: new Error(`layer worker stopped unexpectedly (exit code ${code})`) });
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
    const post = (m: ToWorker, transfer?: ArrayBuffer[]) => worker.postMessage(m, transfer);
    post({ t: "start", digest: desc.digest, size: desc.size, diffId, verifyDigest: opts.verifyDigest ?? true });

    // The stored bytes, by 'data' events: one copy into the transfer buffer
    // and no promise per chunk (socket reads are 64 KiB). The stream pauses
    // while the worker holds a full window.
    let buf = new Uint8Array(0);
    let fill = 0;
    let stored = 0;
    let waiting = false;
    const ship = () => {
      inCredit.spend(fill);
      post({ t: "in", buf: buf.buffer as ArrayBuffer, len: fill }, [buf.buffer as ArrayBuffer]);
      buf = new Uint8Array(0);
      fill = 0;
    };
    const onData = (chunk: Uint8Array) => {
      if (finished) return;
      stored += chunk.length;
      opts.onStored?.(stored);
      for (let off = 0; off < chunk.length; ) {
        if (buf.length === 0) buf = new Uint8Array(spare.pop() ?? new ArrayBuffer(BUFFER_BYTES));
        const n = Math.min(chunk.length - off, BUFFER_BYTES - fill);
        buf.set(chunk.subarray(off, off + n), fill);
        fill += n;
        off += n;
        if (fill === BUFFER_BYTES) ship();
      }
      if (!inCredit.open() && !waiting) {
        waiting = true;
        blob.pause();
        void inCredit.ready().then(() => {
          waiting = false;
          if (!finished) blob.resume();
        });
      }
    };
    const onEnd = () => {
      if (finished) return;
      if (fill > 0) ship();
      post({ t: "in-end" });
    };
    // The source failed (network, abort, a file gone): that is the layer's error.
    const onSourceError = (error: unknown) => events.put({ t: "failed", error });
    blob.on("data", onData);
    blob.once("end", onEnd);
    blob.once("error", onSourceError);
    // A source that failed before we listened has already sent its 'error'.
    if (blob.errored) onSourceError(blob.errored);

    let clean = false;
    try {
      for (;;) {
        const m = await events.take();
        if (m.t === "out") {
          yield new Uint8Array(m.buf, 0, m.len);
          post({ t: "back", buf: m.buf }, [m.buf]);
        } else if (m.t === "end") {
          kind = m.compression;
          clean = true;
          return;
        } else if (m.t === "error") {
          throw m.code ? new LayerlintError(m.code, m.message) : new Error(m.message);
        } else if (m.t === "failed") {
          throw m.error;
        }
      }
    } finally {
      finished = true;
      inCredit.close();
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
      const held = opts.account?.held ?? 0;
      if (clean && held <= KEEP_WORKER_BYTES) workers.release(worker);
      else if (held > 0) await workers.discard(worker);
      else void workers.discard(worker);
      blob.off("data", onData);
      blob.off("end", onEnd);
      blob.off("error", onSourceError);
    }
  }
  return { chunks: chunks(), compression: () => kind };
}
