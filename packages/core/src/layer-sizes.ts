import { createGzip } from "node:zlib";
import type { Compression } from "./compression.js";
import type { LoadedImage } from "./load-image.js";

/**
 * What a layer's `compressedSize` is:
 * - "stored": the blob as stored, and it is compressed (gzip, zstd), or it
 *   comes from a registry, where the stored blob is what a pull downloads;
 * - "estimated": the layer is stored uncompressed (`docker save`, an
 *   uncompressed OCI layer) and compressedSize is the size of its gzip at
 *   level 6, computed while it was read (LoadOptions.estimateCompressedSize);
 * - "unknown": stored uncompressed and not estimated; compressedSize then
 *   holds the stored size, which over-counts, so a reader that ignores the
 *   kind errs on the large side.
 */
export type CompressedSizeKind = "stored" | "estimated" | "unknown";

/**
 * Level 6 is what `docker push` compresses an uncompressed layer with: Go's
 * compress/gzip at DefaultCompression
 * (compress() in https://github.com/moby/moby/blob/master/daemon/internal/distribution/push.go).
 * zlib's level 6, used here, came within 0.4% of Go's, and within 2.1% of
 * GNU gzip -6, on the layers of a Debian rootfs (bench/gzip-estimate.ts).
 */
const ESTIMATE_LEVEL = 6;

export interface GzipEstimate {
  /** The same chunks, passed on unchanged. */
  chunks: AsyncIterable<Uint8Array>;
  /** The gzip size, once `chunks` ended; undefined when nothing was estimated. */
  size(): number | undefined;
}

/**
 * Counts the size of `src` gzipped at level 6 as it streams, when `wanted()`
 * says so at the first chunk (the layer turned out to be stored
 * uncompressed). zlib deflates on the libuv pool while the consumer handles
 * the same chunk; the next chunk is asked for only once zlib has consumed
 * this one, so a chunk that is valid only until the next is requested (a
 * worker's) is never read late, and memory stays one chunk plus zlib's
 * state. Nothing is kept but the count.
 */
export function estimateGzip(src: AsyncIterable<Uint8Array>, wanted: () => boolean): GzipEstimate {
  let total: number | undefined;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    let gz: ReturnType<typeof createGzip> | undefined;
    let out = 0;
    let failed: Error | undefined;
    let first = true;
    try {
      for await (const chunk of src) {
        if (first) {
          first = false;
          if (wanted()) {
            // 1 MiB out: a round trip to this thread per MiB of output rather than per 16 KiB.
            gz = createGzip({ level: ESTIMATE_LEVEL, chunkSize: 1024 * 1024 });
            gz.on("data", (b: Buffer) => (out += b.length));
            gz.on("error", (e: Error) => (failed = e));
          }
        }
        if (gz === undefined) {
          yield chunk;
          continue;
        }
        const consumed = new Promise<void>((resolve) => gz!.write(chunk, () => resolve()));
        yield chunk;
        await consumed;
        if (failed) throw failed;
      }
      if (gz !== undefined) {
        const g = gz;
        await new Promise<void>((resolve, reject) => {
          g.once("end", resolve);
          g.once("error", reject);
          g.end();
        });
        total = out;
      }
    } finally {
      gz?.destroy();
    }
  }
  return { chunks: chunks(), size: () => total };
}

/** A layer's stored size, compression and estimate, as its summary reports them. */
export function layerSizes(
  storedSize: number,
  compression: Compression,
  fromRegistry: boolean,
  estimate: number | undefined,
): { compressedSize: number; storedSize: number; compressedSizeKind: CompressedSizeKind } {
  if (compression !== "none" || fromRegistry) return { compressedSize: storedSize, storedSize, compressedSizeKind: "stored" };
  if (estimate !== undefined) return { compressedSize: estimate, storedSize, compressedSizeKind: "estimated" };
  return { compressedSize: storedSize, storedSize, compressedSizeKind: "unknown" };
}

/** The image's kind: unknown if a layer's is, else estimated if one is, else stored. */
export function imageCompressedKind(layers: readonly { compressedSizeKind: CompressedSizeKind }[]): CompressedSizeKind {
  if (layers.some((l) => l.compressedSizeKind === "unknown")) return "unknown";
  if (layers.some((l) => l.compressedSizeKind === "estimated")) return "estimated";
  return "stored";
}

/**
 * Image-wide sizes: wasted counts shadowed regular files only (dive#684
 * fixed); `stored` sums the blobs as stored, `compressedKind` says what
 * `compressed` is (layer-sizes.ts).
 */
export function imageSizes(image: LoadedImage): {
  compressed: number;
  uncompressed: number;
  wasted: number;
  files: number;
  stored: number;
  compressedKind: CompressedSizeKind;
} {
  return {
    compressed: image.layers.reduce((s, l) => s + l.compressedSize, 0),
    uncompressed: image.layers.reduce((s, l) => s + l.uncompressedSize, 0),
    wasted: image.fs.wastedBytes,
    files: image.layers.reduce((s, l) => s + l.files, 0),
    stored: image.layers.reduce((s, l) => s + l.storedSize, 0),
    compressedKind: imageCompressedKind(image.layers),
  };
}
