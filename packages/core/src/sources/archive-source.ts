import type { ImageSource } from "../types.js";
import { LayerlintError } from "../errors.js";
import type { BlobStore } from "./blob-store.js";
import { OciLayoutSource, type LocalOpenOptions } from "./oci-layout-source.js";
import { DockerArchiveSource } from "./docker-archive-source.js";
import { checkArchiveAgreement } from "./archive-agreement.js";

export type ArchiveTransport = "oci-archive" | "docker-archive";

/**
 * The image source over the members of an outer archive, read in place
 * (TarStore) or in one pass (PassedStore): the OCI layout, or docker save's
 * manifest.json, after checking that the two agree when both are there.
 */
export async function archiveSource(
  transport: ArchiveTransport,
  store: BlobStore,
  opts: LocalOpenOptions,
  description: string,
): Promise<ImageSource> {
  // The layout side of the archive: the source read, or only the comparison's other half.
  const oci = new OciLayoutSource("oci-archive", description, store, opts);
  await checkArchiveAgreement(store, oci, opts);
  if (transport === "oci-archive") return oci;
  return new DockerArchiveSource(description, store, opts);
}

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
