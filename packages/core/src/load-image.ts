import { setMaxListeners } from "node:events";
import { availableParallelism } from "node:os";
import pLimit from "p-limit";
import type { Descriptor, ImageConfig, ImageManifest, ImageSource } from "./types.js";
import type { LayerIndex } from "./layer-index.js";
import { LayerlintError } from "./errors.js";
import { isLayerType } from "./media-types.js";
import { openLayer } from "./layer-stream.js";
import { explainLayerError } from "./explain-layer-error.js";
import { CHUNK, gather, zstdImplementation, type Compression } from "./compression.js";
import { walkLayer, type ContentScan, type WantsContent } from "./walk-layer.js";
import { CaptureBudget } from "./capture-budget.js";
import { defaultLimits } from "./limits.js";
import { mergeLayers, type MergedFilesystem } from "./merge-layers.js";
import { layerCreatedBy } from "./history.js";
import { formatPlatform } from "./platform.js";
import { redactText } from "./redact-text.js";
import { SYNTHESIZED_DIGEST } from "./sources/docker-archive-source.js";
import { LayerWorkers, layerWorkersAvailable } from "./worker/layer-workers.js";
import { openLayerInWorker } from "./worker/open-layer-in-worker.js";
import { DecoderBudget } from "./decoder-budget.js";
import type { ScanActivity } from "./scan-activity.js";
import { readsOnce, type StreamedArchiveSource } from "./sources/streamed-source.js";
import { readStreamed, type ReadLayers } from "./load-streamed.js";
import { estimateGzip, layerSizes, type CompressedSizeKind } from "./layer-sizes.js";

export interface LayerSummary {
  index: number;
  digest: string;
  diffId: string;
  mediaType: string;
  /** What the bytes turned out to be, by magic number. */
  compression: Compression;
  /** The stored size, or gzip's estimate for a layer stored uncompressed: see compressedSizeKind. */
  compressedSize: number;
  uncompressedSize: number;
  /** Bytes of the blob as stored in the input. */
  storedSize: number;
  compressedSizeKind: CompressedSizeKind;
  entries: number;
  files: number;
  createdBy: string | undefined;
}

export type ProgressEvent =
  | { type: "layer-start"; index: number; total: number; digest: string; size: number }
  | { type: "layer-done"; index: number; total: number; digest: string; size: number; done: number };

export interface LoadOptions {
  /** Layers read at once; defaults to the core count (Node inflates on the libuv pool). */
  concurrency?: number | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((e: ProgressEvent) => void) | undefined;
  /** Bytes retained in the layer indexes for the end of the scan (ctx.content). */
  wantsContent?: WantsContent | undefined;
  /** Bytes handed over as they stream and not retained (Analyzer.onContent). */
  scanContent?: ContentScan | undefined;
  /** Scan-wide cap on content held in memory (Limits.maxCapturedBytes; default 64 MiB). */
  maxCapturedBytes?: number | undefined;
  /**
   * Where layers are verified and decompressed. "auto" (the default), on a
   * machine with two cores or more: layers of at least 4 MiB go to worker
   * threads when they come from a registry (this thread also runs the HTTP
   * client), or when they are zstd and zstd decodes as WebAssembly (Node
   * 20). Decoding and hashing then overlap with the tar walk on another
   * core. Local gzip layers stay on this thread, where zlib already inflates
   * on the libuv pool: workers measured no faster for them, with more memory
   * (bench/NOTES.md). "always" and "never" force the choice.
   */
  layerWorkers?: LayerWorkersMode | undefined;
  /** Decoder memory shared by all layers in flight (Limits.maxDecoderBytes, the default). */
  maxDecoderBytes?: number | undefined;
  /** Kept up to date with the phase and the layers in flight, for a deadline's message. */
  activity?: ScanActivity | undefined;
  /**
   * Estimate the compressed size of layers stored uncompressed (gzip level
   * 6 of each, while it streams: layer-sizes.ts). It costs about 21 ms of
   * CPU per MB of such layers (bench/gzip-estimate.ts), so it is asked for only
   * when a compressed-size rule will read it; otherwise their
   * compressedSizeKind is "unknown".
   */
  estimateCompressedSize?: boolean | undefined;
}

export type LayerWorkersMode = "auto" | "always" | "never";

/** Stored size from which "auto" hands a layer to a worker. */
const WORKER_MIN_BYTES = 4 * 1024 * 1024;

export interface LoadedImage {
  source: ImageSource;
  manifest: ImageManifest;
  config: ImageConfig;
  platform: string;
  layers: LayerSummary[];
  /** Per-layer walk results, bottom first (contents for analyzers live here). */
  layerIndexes: LayerIndex[];
  fs: MergedFilesystem;
  /** Content bytes retained for the analyzers, all layers together. */
  capturedBytes: number;
  /**
   * Captures refused because Limits.maxCapturedBytes was spent: those files
   * read as not captured (ctx.content → undefined). 0 on an ordinary image.
   */
  captureRefused: number;
  /** Walk-time paths of the first refused captures (at most 10), for the report. */
  captureRefusedPaths: string[];
}

/**
 * An image read up to the merge: every layer streamed once, verified,
 * walked in parallel (p-limit), then merged in order, as a runtime applies
 * layers bottom first (https://github.com/opencontainers/image-spec/blob/main/layer.md).
 */
export async function loadImage(source: ImageSource, opts: LoadOptions = {}): Promise<LoadedImage> {
  const capture = new CaptureBudget(opts.maxCapturedBytes ?? defaultLimits.maxCapturedBytes);
  const { manifest, config, results } = readsOnce(source)
    ? await streamedLayers(source, opts, capture)
    : await layersInPlace(source, opts, capture);
  const createdBy = layerCreatedBy(config);
  const activity = opts.activity;
  activity?.now("merging layers");
  const layerIndexes = results.map((r) => r.index);
  const layers: LayerSummary[] = results.map((r, i) => ({
    index: i,
    digest: manifest.layers[i]!.digest,
    diffId: config.rootfs.diff_ids[i]!,
    mediaType: manifest.layers[i]!.mediaType,
    compression: r.compression,
    ...layerSizes(manifest.layers[i]!.size, r.compression, source.kind === "registry", r.estimatedSize),
    uncompressedSize: r.index.stats.tarBytes,
    entries: r.index.stats.entries,
    files: r.index.stats.files,
    createdBy: createdBy[i],
  }));
  return {
    source,
    manifest,
    config,
    platform: formatPlatform({ os: config.os, architecture: config.architecture, variant: config.variant }),
    layers,
    layerIndexes,
    fs: mergeLayers(layerIndexes),
    capturedBytes: capture.retained,
    captureRefused: capture.refused,
    captureRefusedPaths: capture.refusedPaths,
  };
}

/** Each layer opened by its descriptor, read and walked, several at once. */
async function layersInPlace(source: ImageSource, opts: LoadOptions, capture: CaptureBudget): Promise<ReadLayers> {
  const activity = opts.activity;
  activity?.now("reading the manifest");
  const manifest = await source.manifest();
  activity?.now("reading the config");
  const config = await source.config();
  activity?.now("reading layers");
  const limit = pLimit(Math.max(1, opts.concurrency ?? availableParallelism()));
  const total = manifest.layers.length;
  let done = 0;
  // Stops every in-flight layer when the caller aborts or when one layer fails,
  // so no read or walk keeps running (and holding a file) after we return.
  const stop = new AbortController();
  // Each layer in flight listens (its file or HTTP stream): past ten, Node
  // would print a "possible leak" warning on stderr. They are bounded by the concurrency.
  setMaxListeners(0, stop.signal);
  const onAbort = () => stop.abort(opts.signal?.reason);
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  const layerOpts: LoadOptions = { ...opts, signal: stop.signal };
  const inWorker = workerPolicy(opts.layerWorkers, source.kind === "registry");
  const workers = manifest.layers.some(inWorker) ? new LayerWorkers() : undefined;
  const decoders = new DecoderBudget(opts.maxDecoderBytes ?? defaultLimits.maxDecoderBytes, stop.signal);
  // Queued largest first when estimating: a layer's time then grows with its
  // size, and the largest last would leave one core idle at the end.
  const order = manifest.layers.map((_, i) => i);
  if (opts.estimateCompressedSize) order.sort((a, b) => manifest.layers[b]!.size - manifest.layers[a]!.size);
  const tasks: Promise<Awaited<ReturnType<typeof readLayer>>>[] = [];
  for (const i of order) {
    const desc = manifest.layers[i]!;
    tasks[i] = limit(async () => {
      stop.signal.throwIfAborted();
      opts.onProgress?.({ type: "layer-start", index: i, total, digest: desc.digest, size: desc.size });
      activity?.layerStart(i, total, desc.digest, desc.size);
      const r = await readLayer(source, desc, config.rootfs.diff_ids[i]!, i, layerOpts, capture, inWorker(desc) ? workers : undefined, decoders);
      activity?.layerDone(i);
      done++;
      opts.onProgress?.({ type: "layer-done", index: i, total, digest: desc.digest, size: desc.size, done });
      return r;
    });
  }
  const results = await Promise.all(tasks)
    .catch((e: unknown) => {
      limit.clearQueue();
      stop.abort(e);
      if (opts.signal?.aborted) throw new LayerlintError("ABORTED", "scan aborted", { cause: e });
      throw e;
    })
    .finally(async () => {
      opts.signal?.removeEventListener("abort", onAbort);
      await workers?.close();
    });
  return { manifest, config, results };
}

/** A streamed archive's layers, walked during its one pass (load-streamed.ts). */
async function streamedLayers(source: StreamedArchiveSource, opts: LoadOptions, capture: CaptureBudget): Promise<ReadLayers> {
  const decoders = new DecoderBudget(opts.maxDecoderBytes ?? defaultLimits.maxDecoderBytes, opts.signal);
  try {
    return await readStreamed(source, opts, capture, decoders);
  } catch (e) {
    if (opts.signal?.aborted) throw new LayerlintError("ABORTED", "scan aborted", { cause: e });
    throw e;
  }
}

/**
 * One pass over one layer: its stored bytes verified (digest, then diff_id
 * after decompression) as they stream into the tar walk. Also the second
 * look's way to read a layer again (second-look.ts).
 */
export async function readLayer(
  source: ImageSource,
  desc: Descriptor,
  diffId: string,
  index: number,
  opts: LoadOptions,
  capture: CaptureBudget | undefined,
  workers: LayerWorkers | undefined,
  decoders: DecoderBudget,
): Promise<{ index: LayerIndex; compression: Compression; estimatedSize?: number | undefined }> {
  if (!isLayerType(desc.mediaType)) {
    throw new LayerlintError("UNSUPPORTED_MEDIA_TYPE", `layer ${index}: unsupported media type "${desc.mediaType}"`);
  }
  const verifyDigest = desc.annotations?.[SYNTHESIZED_DIGEST] !== "true";
  const blob = await source.openBlob(desc, opts.signal);
  // An abort can destroy the stream before it is iterated (or after we stop
  // iterating); its 'error' event must not go unhandled and crash the process.
  // Errors still reach the reader through the async iterator.
  blob.on("error", ignore);
  // This layer's share of the decoder memory, returned once its decoder is gone.
  const account = decoders.account();
  const onStored = opts.activity && ((bytes: number) => opts.activity!.layerRead(index, bytes));
  try {
    const layer = workers
      ? openLayerInWorker(workers, blob, desc, diffId, { verifyDigest, account, onStored })
      : // Network reads arrive in 16–64 KiB pieces, and every piece costs a trip
        // through each stage (for gzip, a round trip to the thread pool): pack
        // them into CHUNK-sized pieces. File reads are larger and pass as they
        // are; a worker's input comes already packed into 1 MiB buffers.
        openLayer(gather(blob, CHUNK), desc, diffId, { verifyDigest, memory: account, onStored });
    // A registry's blob is what a pull downloads: nothing to estimate there.
    const estimate = opts.estimateCompressedSize && source.kind !== "registry" ? estimateGzip(layer.chunks, () => layer.compression() === "none") : undefined;
    const walked = await walkLayer(abortable(estimate?.chunks ?? layer.chunks, opts.signal), index, opts.wantsContent, opts.scanContent, capture);
    return { index: walked, compression: layer.compression() ?? "none", estimatedSize: estimate?.size() };
  } catch (e) {
    throw await explainLayerError(e, source, desc, verifyDigest, opts.signal);
  } finally {
    blob.destroy();
    account.release();
  }
}

function ignore(): void {}

function workerPolicy(mode: LayerWorkersMode = "auto", remote: boolean): (desc: Descriptor) => boolean {
  if (mode === "never") return () => false;
  if (!layerWorkersAvailable()) {
    if (mode === "always") throw new Error("layer workers unavailable: the compiled worker script is missing");
    return () => false;
  }
  if (mode === "always") return () => true;
  if (availableParallelism() < 2) return () => false;
  if (remote) return (desc) => desc.size >= WORKER_MIN_BYTES;
  // By media type: a mislabelled layer only runs on the other thread, decoded by its magic bytes all the same.
  if (zstdImplementation !== "wasm") return () => false;
  return (desc) => desc.size >= WORKER_MIN_BYTES && desc.mediaType.includes("zstd");
}

/**
 * Checks the signal between chunks: once the stored blob is read (a small
 * compressed layer is read at once), decompressing and walking it would
 * otherwise run to the end after an abort.
 */
async function* abortable(src: AsyncIterable<Uint8Array>, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  if (signal === undefined) {
    yield* src;
    return;
  }
  signal.throwIfAborted();
  for await (const chunk of src) {
    signal.throwIfAborted();
    yield chunk;
  }
}

/** Layers as reports print them: created_by with credentials masked. */
export function reportedLayers(image: LoadedImage): (Omit<LayerSummary, "createdBy"> & { createdBy: string | null })[] {
  return image.layers.map((l) => ({ ...l, createdBy: l.createdBy === undefined ? null : redactText(l.createdBy) }));
}
