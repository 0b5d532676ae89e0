import { LayerlintError, shortDigest } from "../errors.js";
import { digestLike, sha256Digest } from "../digest.js";
import type { ImageManifest, Platform } from "../types.js";
import type { BlobStore } from "./blob-store.js";
import { readDockerImage } from "./docker-entry.js";
import type { LocalOpenOptions, OciLayoutSource } from "./oci-layout-source.js";

/**
 * Docker 25 and later write both an OCI layout (oci-layout, index.json) and
 * a legacy manifest.json into `docker save` archives. `ctr import` (and
 * docker on the containerd image store) reads the layout
 * (ImportIndex: https://github.com/containerd/containerd/blob/v1.6.20/images/archive/importer.go),
 * docker on its graph driver store reads manifest.json
 * (https://github.com/moby/moby/blob/v20.10.24/image/tarexport/load.go).
 * When the two name different images, which one runs depends on the
 * daemon's configuration, and a verdict on either would be a guess: that
 * is an error naming both configs. When they agree we read the layout, as
 * containerd does.
 *
 * They agree when manifest.json's image has the config of the image the
 * layout gives, or (a multi-platform layout, where manifest.json can hold
 * one platform only) the config the layout gives for manifest.json's
 * platform. With a ref that only one side knows, the names do not collide
 * and there is nothing to compare.
 */
export async function checkArchiveAgreement(store: BlobStore, oci: OciLayoutSource, opts: LocalOpenOptions): Promise<void> {
  if (!(await store.has("oci-layout")) || !(await store.has("manifest.json"))) return;
  if (opts.ref !== undefined && !(await oci.hasName(opts.ref))) return;
  // The layout first: when it holds several images, its error lists them.
  const chosen = await oci.manifest();
  // Warnings belong to the image that is read, not to this comparison.
  const docker = await readDockerImage(store, { ...opts, onWarning: undefined }, true);
  if (docker === undefined) return;
  const same = (m: ImageManifest) => digestLike(m.config.digest, docker.configBytes) === m.config.digest;
  if (same(chosen)) return;
  const platform = configPlatform(docker.configBytes);
  if (platform !== undefined) {
    const forDocker = await oci.manifestFor(platform).catch(() => undefined);
    if (forDocker !== undefined && same(forDocker)) return;
  }
  throw new LayerlintError(
    "AMBIGUOUS_IMAGE",
    `${store.location}: index.json and manifest.json describe different images (${shortDigest(chosen.config.digest)} vs ${shortDigest(sha256Digest(docker.configBytes))})`,
  );
}

/** os/architecture/variant of a config, before it is validated (it may not be read at all). */
function configPlatform(bytes: Uint8Array): Platform | undefined {
  try {
    const c = JSON.parse(Buffer.from(bytes).toString("utf8")) as { os?: unknown; architecture?: unknown; variant?: unknown };
    if (typeof c.os !== "string" || typeof c.architecture !== "string") return undefined;
    return typeof c.variant === "string" && c.variant !== ""
      ? { os: c.os, architecture: c.architecture, variant: c.variant }
      : { os: c.os, architecture: c.architecture };
  } catch {
    return undefined;
  }
}
