import type { Descriptor } from "./types.js";
import { LayerlintError, shortDigest } from "./errors.js";
import { hasherFor } from "./digest.js";
import { decompress, type Compression, type DecoderMemory } from "./compression.js";

/**
 * Passes a stored blob through while checking its size and digest. The size
 * is enforced as bytes arrive (a blob that runs long fails early); the
 * digest is compared at EOF, before the consumer sees the end, as the
 * image-spec requires of every blob:
 * https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests
 * `onStored` hears the running count of bytes read.
 */
export async function* verifyBlob(
  src: AsyncIterable<Uint8Array>,
  desc: Pick<Descriptor, "digest" | "size">,
  what = "blob",
  checkDigest = true,
  onStored?: (bytes: number) => void,
): AsyncGenerator<Uint8Array> {
  const hash = hasherFor(desc.digest);
  let size = 0;
  for await (const chunk of src) {
    size += chunk.length;
    onStored?.(size);
    if (size > desc.size) {
      throw new LayerlintError(
        "SIZE_MISMATCH",
        `${what} ${shortDigest(desc.digest)} size mismatch: more than the ${desc.size} bytes its descriptor declares`,
      );
    }
    if (checkDigest) hash.update(chunk);
    yield chunk;
  }
  if (size !== desc.size) {
    throw new LayerlintError(
      "SIZE_MISMATCH",
      `${what} ${shortDigest(desc.digest)} size mismatch: got ${size} bytes, descriptor declares ${desc.size}`,
    );
  }
  const alg = desc.digest.slice(0, desc.digest.indexOf(":"));
  if (checkDigest && `${alg}:${hash.digest("hex")}` !== desc.digest) {
    throw new LayerlintError("DIGEST_MISMATCH", `${what} ${shortDigest(desc.digest)} digest mismatch`);
  }
}

/** Checks the uncompressed stream against the config's rootfs.diff_ids entry. */
async function* verifyDiffId(
  src: AsyncIterable<Uint8Array>,
  diffId: string,
  layerDigest: string,
  alreadyVerified: () => boolean,
): AsyncGenerator<Uint8Array> {
  const hash = hasherFor(diffId);
  let first = true;
  let hashing = true;
  for await (const chunk of src) {
    if (first) {
      // Stored uncompressed: the blob digest already proved these bytes.
      hashing = !alreadyVerified();
      first = false;
    }
    if (hashing) hash.update(chunk);
    yield chunk;
  }
  if (!hashing) return;
  const alg = diffId.slice(0, diffId.indexOf(":"));
  if (`${alg}:${hash.digest("hex")}` !== diffId) {
    throw new LayerlintError(
      "DIFF_ID_MISMATCH",
      `layer ${shortDigest(layerDigest)} diff_id mismatch: uncompressed content does not hash to ${shortDigest(diffId)}`,
    );
  }
}

export interface OpenedLayer {
  /** The uncompressed tar bytes; iterate to EOF so every check fires. */
  chunks: AsyncIterable<Uint8Array>;
  /** Known once the first bytes have been read. */
  compression(): Compression | undefined;
}

/**
 * The layer pipeline: stored bytes → size+digest check → sniffed
 * decompression → diff_id check (the config's rootfs.diff_ids,
 * https://github.com/opencontainers/image-spec/blob/main/config.md#layer-diffid). When the blob is stored
 * uncompressed and its digest is its diff_id, hashing it twice is skipped.
 * `verifyDigest: false` is for docker save layers, whose descriptor digest
 * is synthesised from the diff_id: their size and diff_id are still checked.
 * `borrow: true` lets chunks be valid only until the next one is requested
 * (no copy out of the zstd decoder; see zstdDecompress for when it is safe).
 * `memory`: where a zstd decoder reserves its frames' memory (the scan's
 * DecoderBudget); `onStored`: the running count of stored bytes read.
 */
export function openLayer(
  blob: AsyncIterable<Uint8Array>,
  desc: Pick<Descriptor, "digest" | "size">,
  diffId: string,
  opts: { verifyDigest?: boolean; borrow?: boolean; memory?: DecoderMemory | undefined; onStored?: ((bytes: number) => void) | undefined } = {},
): OpenedLayer {
  let kind: Compression | undefined;
  const checkDigest = opts.verifyDigest ?? true;
  const verified = verifyBlob(blob, desc, "layer", checkDigest, opts.onStored);
  const plain = decompress(verified, (k) => (kind = k), opts.borrow, opts.memory);
  const chunks = verifyDiffId(plain, diffId, desc.digest, () => checkDigest && kind === "none" && desc.digest === diffId);
  return { chunks, compression: () => kind };
}
