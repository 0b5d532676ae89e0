import { parentPort } from "node:worker_threads";
import { openLayer } from "../layer-stream.js";
import { zstdImplementation, type Compression, type DecoderMemory } from "../compression.js";
import { LayerlintError } from "../errors.js";
import { Mailbox } from "./mailbox.js";
import { BUFFER_BYTES, OUTPUT_BUFFERS, type FromWorker, type ToWorker } from "./protocol.js";

/**
 * A layer worker: runs the verifying, decompressing part of the layer
 * pipeline (openLayer: size and digest of the stored bytes, gzip/zstd/plain
 * by magic, diff_id) off the scan thread, which then only walks tar
 * headers. Hashing and zstd are CPU work on whichever thread runs them;
 * here they overlap with the walk on another core.
 *
 * The scan thread sends one layer at a time and throws the worker away if a
 * layer ends abnormally, so a job never needs cancelling from inside.
 */
const port = parentPort!;

type Input = { buf: ArrayBuffer; len: number } | null;

let inbox: Mailbox<Input> | undefined;
let returned: Mailbox<ArrayBuffer> | undefined;
let granted: (() => void) | undefined;

/** Decoder memory comes from the scan thread's budget: ask, and wait for the answer. */
const memory: DecoderMemory = {
  reserve(total) {
    send({ t: "reserve", bytes: total });
    return new Promise<void>((resolve) => (granted = resolve));
  },
};

port.on("message", (m: ToWorker) => {
  switch (m.t) {
    case "start":
      inbox = new Mailbox<Input>();
      returned = new Mailbox<ArrayBuffer>();
      void run(m, inbox, returned);
      break;
    case "in":
      inbox?.put({ buf: m.buf, len: m.len });
      break;
    case "in-end":
      inbox?.put(null);
      break;
    case "back":
      returned?.put(m.buf);
      break;
    case "granted": {
      const g = granted;
      granted = undefined;
      g?.();
      break;
    }
  }
});

function send(m: FromWorker, transfer?: ArrayBuffer[]): void {
  port.postMessage(m, transfer);
}

/**
 * Whether the decoder is done with an input chunk once it asks for the
 * next: true for the synchronous paths (plain tar, the wasm zstd decoder),
 * not for zlib streams, which queue input.
 */
function releasesInput(kind: Compression | undefined): boolean {
  return kind === "none" || (kind === "zstd" && zstdImplementation === "wasm");
}

/** The stored bytes as they arrive; each buffer is acknowledged (and returned when reusable) once passed. */
async function* stored(box: Mailbox<Input>, kind: () => Compression | undefined): AsyncGenerator<Uint8Array> {
  for (;;) {
    const item = await box.take();
    if (item === null) return;
    yield new Uint8Array(item.buf, 0, item.len);
    const reuse = releasesInput(kind());
    send({ t: "ack", bytes: item.len, buf: reuse ? item.buf : undefined }, reuse ? [item.buf] : undefined);
  }
}

async function run(job: Extract<ToWorker, { t: "start" }>, box: Mailbox<Input>, back: Mailbox<ArrayBuffer>): Promise<void> {
  let kind: () => Compression | undefined = () => undefined;
  // Borrowed chunks: each is copied into an output buffer before the next is asked for.
  const layer = openLayer(stored(box, () => kind()), { digest: job.digest, size: job.size }, job.diffId, {
    verifyDigest: job.verifyDigest,
    borrow: true,
    memory,
  });
  kind = layer.compression;
  // Output buffers circulate: at most OUTPUT_BUFFERS exist, each comes back once read.
  let made = 0;
  const nextBuffer = async (): Promise<ArrayBuffer> => {
    const ready = back.poll();
    if (ready) return ready;
    if (made < OUTPUT_BUFFERS) {
      made++;
      return new ArrayBuffer(BUFFER_BYTES);
    }
    return back.take();
  };
  let buf = new Uint8Array(await nextBuffer());
  let fill = 0;
  try {
    for await (const chunk of layer.chunks) {
      for (let off = 0; off < chunk.length; ) {
        const n = Math.min(chunk.length - off, BUFFER_BYTES - fill);
        buf.set(chunk.subarray(off, off + n), fill);
        fill += n;
        off += n;
        if (fill === BUFFER_BYTES) {
          send({ t: "out", buf: buf.buffer, len: fill }, [buf.buffer]);
          buf = new Uint8Array(await nextBuffer());
          fill = 0;
        }
      }
    }
    if (fill > 0) send({ t: "out", buf: buf.buffer, len: fill }, [buf.buffer]);
    send({ t: "end", compression: layer.compression() ?? "none" });
  } catch (e) {
    send({
      t: "error",
      code: e instanceof LayerlintError ? e.code : undefined,
      message: e instanceof Error ? e.message : String(e),
    });
  }
}
