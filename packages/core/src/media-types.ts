/** Media types we recognise (image-spec media-types.md; Docker manifest v2). */
export const MediaType = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerSchema1: "application/vnd.docker.distribution.manifest.v1+json",
  dockerSchema1Signed: "application/vnd.docker.distribution.manifest.v1+prettyjws",
} as const;

export function isIndexType(t: string | undefined): boolean {
  return t === MediaType.ociIndex || t === MediaType.dockerList;
}

export function isManifestType(t: string | undefined): boolean {
  return t === MediaType.ociManifest || t === MediaType.dockerManifest;
}

export function isSchema1Type(t: string | undefined): boolean {
  return t === MediaType.dockerSchema1 || t === MediaType.dockerSchema1Signed;
}

/**
 * Layer media types we can read. The compression in the type is only a hint:
 * openLayer sniffs magic bytes, as containerd's DetectCompression does
 * (https://github.com/containerd/containerd/blob/main/archive/compression/compression.go). Foreign and nondistributable
 * variants are the same tars.
 */
export function isLayerType(t: string): boolean {
  return (
    t.startsWith("application/vnd.oci.image.layer.") ||
    t.startsWith("application/vnd.docker.image.rootfs.")
  );
}
