/**
 * What `layerlint info` shows, as data. A registry input is described
 * from its manifests and config alone, the way `crane config` and
 * `crane manifest` read an image: no layer blob is downloaded, so the
 * sizes are the compressed ones the manifest records, and the uncompressed
 * sizes, entry counts and wasted bytes (which need the layers) are null.
 * A local input is read whole, as before.
 */
import {
  formatPlatform,
  imageSizes,
  isArtifactDescriptor,
  isAttestationDescriptor,
  layerCreatedBy,
  redactText,
  reportedLayers,
  type ChosenFromIndex,
  type ImageConfig,
  type ImageManifest,
  type ImageSource,
  type LoadedImage,
} from "@layerlint/core";

/** One entry of the image index: a platform's image, a nested index, or an attestation/artifact. */
export interface IndexEntry {
  digest: string;
  mediaType: string;
  size: number;
  platform: string | null;
  kind: "image" | "index" | "attestation" | "artifact";
  /** The entry this image was chosen through (--platform, default linux/amd64). */
  chosen: boolean;
}

const INDEX_TYPES = new Set(["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"]);

function indexInfo(i: ChosenFromIndex | undefined): { digest: string; mediaType: string; manifests: IndexEntry[] } | null {
  if (i === undefined) return null;
  const manifests = i.manifests.map(
    (d): IndexEntry => ({
      digest: d.digest,
      mediaType: d.mediaType,
      size: d.size,
      platform: d.platform ? formatPlatform(d.platform) : null,
      kind: isAttestationDescriptor(d) ? "attestation" : isArtifactDescriptor(d) ? "artifact" : INDEX_TYPES.has(d.mediaType) ? "index" : "image",
      chosen: d.digest === i.chosen,
    }),
  );
  return { digest: i.digest, mediaType: i.mediaType, manifests };
}

function runConfig(config: ImageConfig) {
  const c = config.config;
  return {
    user: c.User ?? "",
    entrypoint: c.Entrypoint?.map(redactText) ?? null,
    cmd: c.Cmd?.map(redactText) ?? null,
    workingDir: c.WorkingDir ?? "",
    env: (c.Env ?? []).map(redactText),
    exposedPorts: Object.keys(c.ExposedPorts ?? {}),
  };
}

function platformOf(config: ImageConfig): string {
  return formatPlatform({ os: config.os, architecture: config.architecture, variant: config.variant });
}

/** Every layer read: sizes, entries and wasted bytes are known. */
export function loadedInfo(input: string, image: LoadedImage) {
  return {
    input,
    source: image.source.kind,
    reference: image.source.reference ?? null,
    index: indexInfo(image.manifest.fromIndex),
    manifestDigest: image.manifest.digest,
    configDigest: image.manifest.config.digest,
    platform: image.platform,
    created: image.config.created ?? null,
    layersRead: true,
    sizes: imageSizes(image) as { compressed: number; uncompressed: number | null; wasted: number | null; compressedKind?: "stored" | "estimated" | "unknown" },
    layers: reportedLayers(image).map((l) => ({ ...l })) as InfoLayer[],
    config: runConfig(image.config),
  };
}

export type Info = ReturnType<typeof loadedInfo>;

export interface InfoLayer {
  index: number;
  digest: string;
  mediaType: string;
  compressedSize: number;
  compressedSizeKind?: "stored" | "estimated" | "unknown";
  uncompressedSize: number | null;
  entries: number | null;
  createdBy: string | null;
}

/** Manifests and config only (a registry input): what the manifest says of each layer, nothing read from it. */
export async function manifestInfo(input: string, source: ImageSource): Promise<Info> {
  const manifest: ImageManifest = await source.manifest();
  const config = await source.config();
  const createdBy = layerCreatedBy(config);
  const layers: InfoLayer[] = manifest.layers.map((d, i) => ({
    index: i,
    digest: d.digest,
    mediaType: d.mediaType,
    compressedSize: d.size,
    uncompressedSize: null,
    entries: null,
    createdBy: createdBy[i] === undefined ? null : redactText(createdBy[i]!),
  }));
  return {
    input,
    source: source.kind,
    reference: source.reference ?? null,
    index: indexInfo(manifest.fromIndex),
    manifestDigest: manifest.digest,
    configDigest: manifest.config.digest,
    platform: platformOf(config),
    created: config.created ?? null,
    layersRead: false,
    sizes: { compressed: layers.reduce((s, l) => s + l.compressedSize, 0), uncompressed: null, wasted: null },
    layers,
    config: runConfig(config),
  };
}
