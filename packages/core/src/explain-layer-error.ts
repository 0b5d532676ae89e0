import type { Descriptor, ImageSource } from "./types.js";
import { LayerlintError, shortDigest } from "./errors.js";
import { verifyBlob } from "./layer-stream.js";

/**
 * A corrupt blob often trips the decompressor or the tar parser before its
 * digest check at EOF. Re-read the stored bytes and, when they do not match
 * their digest, report that: it is the real cause. Otherwise name the layer
 * in the error.
 */
export async function explainLayerError(
  e: unknown,
  source: ImageSource,
  desc: Descriptor,
  verifyDigest: boolean,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  if (!(e instanceof LayerlintError) || signal?.aborted) return e;
  if (e.code === "DIGEST_MISMATCH" || e.code === "SIZE_MISMATCH" || e.code === "DIFF_ID_MISMATCH") return e;
  // Transport failures say nothing about the bytes: reading them again would
  // only repeat the failure (and its retries).
  const transport = e.code === "NETWORK_ERROR" || e.code === "REGISTRY_ERROR" || e.code === "AUTH_FAILED" || e.code === "NOT_FOUND";
  if (verifyDigest && !transport) {
    try {
      const again = await source.openBlob(desc, signal);
      again.on("error", () => {});
      try {
        for await (const _ of verifyBlob(again, desc, "layer")) {
          // drained only to hash
        }
      } finally {
        again.destroy();
      }
    } catch (check) {
      if (check instanceof LayerlintError && (check.code === "DIGEST_MISMATCH" || check.code === "SIZE_MISMATCH")) {
        return check;
      }
    }
  }
  const name = shortDigest(desc.digest);
  return e.message.includes(name) ? e : new LayerlintError(e.code, `layer ${name}: ${e.message}`, { cause: e });
}
