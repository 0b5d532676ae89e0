import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

const SCRIPT = new URL("./layer-worker.js", import.meta.url);
let available: boolean | undefined;

/**
 * The compiled worker script sits beside this module in dist/. Run from the
 * TypeScript sources (or bundled without it) there is none, and layers are
 * then decoded on the calling thread. Checked once, on the first scan.
 */
export function layerWorkersAvailable(): boolean {
  available ??= SCRIPT.protocol === "file:" && existsSync(fileURLToPath(SCRIPT));
  return available;
}

/**
 * Idle layer workers kept for the next layer of the same scan. A worker is
 * created on demand (never more than the layers read at once) and terminated
 * when its layer ends abnormally or when the scan is over.
 */
export class LayerWorkers {
  private readonly idle: Worker[] = [];
  private readonly all = new Set<Worker>();
  private closed = false;

  acquire(): Worker {
    if (this.closed) throw new Error("layer workers already closed");
    const w =
      this.idle.pop() ??
      new Worker(SCRIPT, {
        // A worker holds a few MiB of buffers in flight, and garbage: keep its heap small.
        resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 64 },
        // Core writes nowhere: the worker's stdio is not piped to ours.
        stdout: true,
        stderr: true,
      });
    this.all.add(w);
    return w;
  }

  /** Back to the pool after a layer that ended cleanly. */
  release(w: Worker): void {
    if (this.closed) void this.discard(w);
    else this.idle.push(w);
  }

  /** After an error or an abandoned layer: the worker's state is unknown, so it goes. */
  discard(w: Worker): Promise<number> {
    this.all.delete(w);
    const i = this.idle.indexOf(w);
    if (i >= 0) this.idle.splice(i, 1);
    return w.terminate();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.all].map((w) => this.discard(w)));
  }
}
