import { shortDigest } from "./errors.js";
import { formatSize } from "./policy/size.js";

interface LayerInFlight {
  index: number;
  total: number;
  digest: string;
  size: number;
  read: number;
}

/** Layers named in full when a deadline passes; the rest are counted. */
const LAYERS_NAMED = 3;

/**
 * What a scan is doing right now, kept so that a scan stopped by its
 * deadline can say where it was: `reading the manifest`, or the layers in
 * flight with the bytes read of each. Updated by loadImage, read only when
 * the deadline passes.
 */
export class ScanActivity {
  private phase = "opening the input";
  private readonly layers = new Map<number, LayerInFlight>();

  now(phase: string): void {
    this.phase = phase;
  }

  layerStart(index: number, total: number, digest: string, size: number): void {
    this.layers.set(index, { index, total, digest, size, read: 0 });
  }

  /** The running count of stored bytes read for a layer. */
  layerRead(index: number, bytes: number): void {
    const l = this.layers.get(index);
    if (l) l.read = bytes;
  }

  layerDone(index: number): void {
    this.layers.delete(index);
  }

  /** One line: `layer 3/7 sha256:abcd… 41 MB of 120 MB read, …`, or the phase. */
  describe(): string {
    if (this.layers.size === 0) return this.phase;
    const all = [...this.layers.values()].sort((a, b) => a.index - b.index);
    const named = all
      .slice(0, LAYERS_NAMED)
      .map((l) => `layer ${l.index + 1}/${l.total} ${shortDigest(l.digest)} ${formatSize(l.read)} of ${formatSize(l.size)} read`);
    const more = all.length - named.length;
    return more > 0 ? `${named.join(", ")} and ${more} more layer${more === 1 ? "" : "s"}` : named.join(", ");
  }
}
