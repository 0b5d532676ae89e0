/**
 * The layers of a streamed archive (a pipe, a compressed archive): its one
 * pass has walked every member that looked like a layer before the image
 * was known (sources/archive-pass.ts). Now that the manifest and config are
 * read, each layer of the image is found by the path its format gives, and
 * its walk is used only if every digest the format records matches what
 * the pass computed, as a layer read in place is checked
 * (layer-stream.ts): the stored size and digest against the descriptor
 * (not for docker save, which records none), then the uncompressed bytes
 * against the config's diff_id. Walks of members the image does not use are
 * dropped.
 */
import type { Descriptor, ImageConfig, ImageManifest } from "./types.js";
import type { CaptureBudget } from "./capture-budget.js";
import type { DecoderBudget } from "./decoder-budget.js";
import { isLayerlintError, LayerlintError, shortDigest } from "./errors.js";
import type { LayerIndex } from "./layer-index.js";
import type { Compression } from "./compression.js";
import { isLayerType } from "./media-types.js";
import { copyLayer, placeLayer } from "./place-layer.js";
import { dropWalk, type WalkedMember } from "./sources/archive-pass.js";
import { SYNTHESIZED_DIGEST } from "./sources/docker-archive-source.js";
import { PassedBlob } from "./sources/passed-store.js";
import type { StreamedArchiveSource } from "./sources/streamed-source.js";
import { readLayer, type LoadOptions } from "./load-image.js";

export interface ReadLayers {
  manifest: ImageManifest;
  config: ImageConfig;
  results: { index: LayerIndex; compression: Compression; estimatedSize?: number | undefined }[];
}

export async function readStreamed(
  source: StreamedArchiveSource,
  opts: LoadOptions,
  capture: CaptureBudget,
  decoders: DecoderBudget,
): Promise<ReadLayers> {
  const activity = opts.activity;
  activity?.now(`reading ${source.description === "-" ? "standard input" : source.description}`);
  const members = await source.pass({
    content: true,
    wantsContent: opts.wantsContent,
    scanContent: opts.scanContent,
    capture,
    decoders,
    signal: opts.signal,
    activity,
    estimateCompressedSize: opts.estimateCompressedSize,
  });
  activity?.now("reading the manifest");
  const manifest = await source.manifest();
  activity?.now("reading the config");
  const config = await source.config();
  const total = manifest.layers.length;
  const placed = new Set<WalkedMember>();
  const results: ReadLayers["results"] = [];
  for (const [i, desc] of manifest.layers.entries()) {
    opts.onProgress?.({ type: "layer-start", index: i, total, digest: desc.digest, size: desc.size });
    const diffId = config.rootfs.diff_ids[i]!;
    const blob = await source.openBlob(desc, opts.signal);
    if (!(blob instanceof PassedBlob)) throw new Error(`${source.description}: a streamed archive's blob is not a member of its pass`);
    const m = blob.member;
    if (m.kind === "held") {
      // A small member, held whole (an empty layer): read from memory like any layer.
      results.push(await readLayer(source, desc, diffId, i, opts, capture, undefined, decoders));
    } else {
      blob.destroy();
      verify(m, desc, diffId, i);
      if (!placed.has(m)) {
        placed.add(m);
        results.push({ index: placeLayer(m.index!, i), compression: m.compression ?? "none", estimatedSize: m.estimatedSize });
      } else {
        const copy = copyLayer(m.index!, i);
        for (const [c, original] of copy.copies) opts.scanContent?.copied?.(c, original);
        results.push({ index: copy.index, compression: m.compression ?? "none", estimatedSize: m.estimatedSize });
      }
    }
    opts.onProgress?.({ type: "layer-done", index: i, total, digest: desc.digest, size: desc.size, done: i + 1 });
  }
  for (const m of members.values()) if (m.kind === "walked" && !placed.has(m)) dropWalk(m, capture);
  return { manifest, config, results };
}

/**
 * Every check a layer read in place gets (layer-stream.ts verifyBlob and
 * verifyDiffId, load-image.ts readLayer), with the same messages, in the
 * order a reader meets them: the media type, the stored size and digest,
 * the walk's own error (named by layer, as explainLayerError does), and the
 * diff_id.
 */
function verify(m: WalkedMember, desc: Descriptor, diffId: string, position: number): void {
  if (!isLayerType(desc.mediaType)) {
    throw new LayerlintError("UNSUPPORTED_MEDIA_TYPE", `layer ${position}: unsupported media type "${desc.mediaType}"`);
  }
  const name = shortDigest(desc.digest);
  if (m.size > desc.size) {
    throw new LayerlintError("SIZE_MISMATCH", `layer ${name} size mismatch: more than the ${desc.size} bytes its descriptor declares`);
  }
  if (m.size !== desc.size) {
    throw new LayerlintError("SIZE_MISMATCH", `layer ${name} size mismatch: got ${m.size} bytes, descriptor declares ${desc.size}`);
  }
  if (desc.annotations?.[SYNTHESIZED_DIGEST] !== "true" && m.digest !== desc.digest) {
    // The pass hashed with the algorithm the blob's path names, which is the descriptor's.
    throw new LayerlintError("DIGEST_MISMATCH", `layer ${name} digest mismatch`);
  }
  if (m.error !== undefined) {
    const e = m.error;
    if (!isLayerlintError(e)) throw e;
    throw e.message.includes(name) ? e : new LayerlintError(e.code, `layer ${name}: ${e.message}`, { cause: e });
  }
  const alg = diffId.slice(0, diffId.indexOf(":"));
  const computed = alg === "sha256" ? m.diffId : m.compression === "none" && m.digest.startsWith(`${alg}:`) ? m.digest : undefined;
  if (computed === undefined) {
    throw new LayerlintError(
      "UNSUPPORTED_MEDIA_TYPE",
      `layer ${name}: diff_id ${shortDigest(diffId)} uses ${alg}, which a streamed archive cannot check (it hashes sha256); read the archive from a file`,
    );
  }
  if (computed !== diffId) {
    throw new LayerlintError(
      "DIFF_ID_MISMATCH",
      `layer ${name} diff_id mismatch: uncompressed content does not hash to ${shortDigest(diffId)}`,
    );
  }
}
