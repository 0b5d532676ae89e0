import type { ImageSource } from "../types.js";
import { LayerlintError } from "../errors.js";
import type { BlobStore } from "./blob-store.js";
import { OciLayoutSource, type LocalOpenOptions } from "./oci-layout-source.js";
import { DockerArchiveSource } from "./docker-archive-source.js";
import { dockerKnows } from "./docker-entry.js";
import { checkArchiveAgreement } from "./archive-agreement.js";

export type ArchiveTransport = "oci-archive" | "docker-archive";

/**
 * A bare archive's format: oci-layout preferred, as containerd's ImportIndex
 * does (https://github.com/containerd/containerd/blob/v1.6.20/images/archive/importer.go),
 * else manifest.json.
 */
export async function detectArchive(store: BlobStore, path: string): Promise<ArchiveTransport> {
  if (await store.has("oci-layout")) return "oci-archive";
  if (await store.has("manifest.json")) return "docker-archive";
  throw new LayerlintError("ARCHIVE_INVALID", `${path}: tar holds neither an OCI layout nor a docker save manifest.json`);
}

/**
 * The source for an image archive, read in place (TarStore) or in one pass (PassedStore): an OCI layout (`oci-layout`,
 * `index.json`), a `docker save` manifest.json, or both, as Docker 25 and
 * later write them. `transport` is the one the user's prefix or the
 * detection chose; an archive that holds both is read the same whichever
 * it was:
 * - index.json that lists nothing (Docker 25.0.0 and 25.0.1 write
 *   `"manifests": null` when `docker save` names images by ID, fixed in
 *   https://github.com/moby/moby/commit/d131f00fff) is no image: the
 *   archive is read through manifest.json, as docker load reads it
 *   (https://github.com/moby/moby/blob/v20.10.24/image/tarexport/load.go),
 *   with a warning;
 * - a ref that only one side selects (a config digest is an image ID to
 *   manifest.json; a manifest digest names an index.json entry) is read
 *   from that side;
 * - otherwise both sides must describe one image (checkArchiveAgreement),
 *   and the transport's side is read.
 * Closes the store when it fails.
 */
export async function openArchive(
  transport: ArchiveTransport,
  store: BlobStore,
  opts: LocalOpenOptions,
  description: string,
): Promise<ImageSource> {
  try {
    return await choose(transport, store, opts, description);
  } catch (e) {
    await store.close();
    throw e;
  }
}

async function choose(transport: ArchiveTransport, store: BlobStore, opts: LocalOpenOptions, description: string): Promise<ImageSource> {
  const oci = new OciLayoutSource("oci-archive", description, store, opts);
  const docker = () => new DockerArchiveSource(description, store, opts);
  const preferred = () => (transport === "oci-archive" ? oci : docker());
  if (!(await store.has("oci-layout")) || !(await store.has("manifest.json"))) return preferred();
  if (!(await oci.listsImages())) {
    opts.onWarning?.(`${store.location}: index.json lists no images; reading manifest.json, as docker load does`);
    return docker();
  }
  if (opts.ref !== undefined) {
    const inLayout = await oci.hasName(opts.ref);
    const inManifest = await dockerKnows(store, opts, opts.ref);
    if (inLayout !== inManifest) return inLayout ? oci : docker();
    if (!inLayout) return preferred();
  }
  await checkArchiveAgreement(store, oci, opts);
  return preferred();
}
