import type { Readable } from "node:stream";
import type { Descriptor, ImageConfig, ImageManifest, ImageSource } from "../types.js";
import { LayerlintError, shortDigest } from "../errors.js";
import { sha256Digest } from "../digest.js";
import { MediaType } from "../media-types.js";
import type { BlobStore } from "./blob-store.js";
import { readDockerImage } from "./docker-entry.js";
import type { LocalOpenOptions } from "./oci-layout-source.js";
import { readConfig } from "./read-config.js";

/**
 * Marks a layer descriptor whose digest is the diff_id because docker save
 * records no blob digest. The loader then checks the size and the diff_id.
 */
export const SYNTHESIZED_DIGEST = "dev.layerlint.synthesized-digest";

/**
 * A `docker save` tarball read through its manifest.json
 * (https://github.com/moby/moby/blob/v20.10.24/image/tarexport/tarexport.go): legacy
 * `<id>/layer.tar` members (repeated layers as symlinks, resolved by the
 * store) or Docker ≥ 25 `blobs/sha256/<hex>` paths.
 */
export class DockerArchiveSource implements ImageSource {
  readonly kind = "docker-archive" as const;
  private loaded?: Promise<{ manifest: ImageManifest; config: ImageConfig; paths: Map<Descriptor, string> }>;

  constructor(
    readonly description: string,
    private readonly store: BlobStore,
    private readonly opts: LocalOpenOptions,
  ) {}

  private load() {
    this.loaded ??= this.read();
    return this.loaded;
  }

  private async read() {
    const loc = this.store.location;
    const { entry, configBytes } = await readDockerImage(this.store, this.opts);
    const configDesc: Descriptor = {
      mediaType: MediaType.dockerConfig,
      digest: sha256Digest(configBytes),
      size: configBytes.length,
    };
    // docker save names the config by its digest, but docker load and
    // go-containerregistry's tarball reader take the ID from the content
    // (https://github.com/moby/moby/blob/v20.10.24/image/tarexport/load.go,
    // https://github.com/google/go-containerregistry/blob/main/pkg/v1/tarball/image.go):
    // a config edited by hand, as in go-containerregistry's own
    // pkg/v1/mutate/testdata, is read as what it is. Its diff_ids still
    // verify every layer.
    const named = /([0-9a-f]{64})(?:\.json)?$/.exec(entry.Config)?.[1];
    if (named && `sha256:${named}` !== configDesc.digest) {
      this.opts.onWarning?.(
        `${loc}: config ${entry.Config} is named sha256:${named.slice(0, 12)}… but its content is ${shortDigest(configDesc.digest)}; reading it as ${shortDigest(configDesc.digest)}, as docker load does`,
      );
    }
    const paths = new Map<Descriptor, string>();
    const layers: Descriptor[] = [];
    const diffIds = peekDiffIds(configBytes);
    for (const [i, p] of entry.Layers.entries()) {
      const size = await this.store.size(p);
      if (size === undefined) throw new LayerlintError("NOT_FOUND", `${loc}: layer ${p} missing`);
      const d: Descriptor = {
        mediaType: "application/vnd.docker.image.rootfs.diff.tar",
        digest: diffIds[i] ?? "sha256:" + "0".repeat(64),
        size,
        annotations: { [SYNTHESIZED_DIGEST]: "true" },
      };
      paths.set(d, p);
      layers.push(d);
    }
    const body = {
      schemaVersion: 2,
      mediaType: MediaType.dockerManifest,
      config: { mediaType: configDesc.mediaType, size: configDesc.size, digest: configDesc.digest },
      layers: layers.map((l) => ({ mediaType: l.mediaType, size: l.size, digest: l.digest })),
    };
    const manifest: ImageManifest = {
      mediaType: MediaType.dockerManifest,
      // docker save stores no manifest: this digest names the one we synthesise (README).
      digest: sha256Digest(Buffer.from(JSON.stringify(body))),
      config: configDesc,
      layers,
    };
    const config = readConfig(configBytes, configDesc, manifest);
    return { manifest, config, paths };
  }

  async manifest(): Promise<ImageManifest> {
    return (await this.load()).manifest;
  }

  async config(): Promise<ImageConfig> {
    return (await this.load()).config;
  }

  async openBlob(d: Descriptor, signal?: AbortSignal): Promise<Readable> {
    const { paths } = await this.load();
    const p = paths.get(d);
    if (p === undefined) throw new LayerlintError("NOT_FOUND", `${this.store.location}: no layer for ${d.digest}`);
    return this.store.stream(p, signal);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/** diff_ids before full validation, so descriptors can be built; readConfig validates. */
function peekDiffIds(bytes: Uint8Array): string[] {
  try {
    const v = JSON.parse(Buffer.from(bytes).toString("utf8")) as { rootfs?: { diff_ids?: unknown } };
    const ids = v.rootfs?.diff_ids;
    return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}
