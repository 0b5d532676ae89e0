import type { Readable } from "node:stream";
import type { Descriptor, ImageConfig, ImageManifest, ImageSource, Platform, SourceKind } from "../types.js";
import { LayerlintError, shortDigest } from "../errors.js";
import { digestHex, verifyDocument } from "../digest.js";
import { parseJson } from "../parse-json.js";
import { layoutIndexSchema, ociLayoutSchema } from "../schemas.js";
import { resolveManifest } from "../resolve-manifest.js";
import type { Limits } from "../limits.js";
import type { BlobStore } from "./blob-store.js";
import { chooseByRef, entriesForRef } from "./choose-by-ref.js";
import { readConfig } from "./read-config.js";

export interface LocalOpenOptions {
  ref?: string | undefined;
  platform?: Platform | undefined;
  limits: Limits;
  /** An archive that is read, but not as plainly as it could be (a tag on several images). */
  onWarning?: ((message: string) => void) | undefined;
}

/**
 * An OCI image layout (image-spec image-layout.md), in a directory or read in
 * place from a tar (buildx type=oci, Docker ≥ 25 docker save).
 */
export class OciLayoutSource implements ImageSource {
  private indexP?: Promise<Descriptor[]>;
  private manifestP?: Promise<ImageManifest>;
  private configP?: Promise<ImageConfig>;

  constructor(
    readonly kind: SourceKind,
    readonly description: string,
    private readonly store: BlobStore,
    private readonly opts: LocalOpenOptions,
  ) {}

  private blobPath(d: Descriptor): string {
    const { algorithm, hex } = digestHex(d.digest);
    return `blobs/${algorithm}/${hex}`;
  }

  /** A small JSON blob, size- and digest-checked against its descriptor. */
  private async document(d: Descriptor, max: number): Promise<Buffer> {
    if (d.size > max) {
      throw new LayerlintError("LIMIT_EXCEEDED", `blob ${shortDigest(d.digest)} is ${d.size} bytes, over the ${max}-byte limit`);
    }
    const path = this.blobPath(d);
    if (!(await this.store.has(path))) {
      throw new LayerlintError("NOT_FOUND", `${this.store.location}: blob ${shortDigest(d.digest)} missing`);
    }
    const bytes = await this.store.readSmall(path, max);
    verifyDocument(bytes, d, "blob");
    return bytes;
  }

  manifest(): Promise<ImageManifest> {
    this.manifestP ??= this.manifestFor(this.opts.platform, this.opts.onWarning);
    return this.manifestP;
  }

  /** index.json, once: after oci-layout is checked. */
  private index(): Promise<Descriptor[]> {
    this.indexP ??= (async () => {
      const loc = this.store.location;
      if (!(await this.store.has("oci-layout"))) {
        throw new LayerlintError("ARCHIVE_INVALID", `${loc}: not an OCI layout (no oci-layout file)`);
      }
      parseJson(await this.store.readSmall("oci-layout", 64 * 1024), ociLayoutSchema, `${loc}: oci-layout`, "ARCHIVE_INVALID");
      if (!(await this.store.has("index.json"))) {
        throw new LayerlintError("ARCHIVE_INVALID", `${loc}: index.json missing`);
      }
      const index = parseJson(
        await this.store.readSmall("index.json", this.opts.limits.maxManifestBytes),
        layoutIndexSchema,
        `${loc}: index.json`,
        "MANIFEST_INVALID",
      );
      return (index.manifests ?? []) as Descriptor[];
    })();
    return this.indexP;
  }

  /** Whether index.json has an entry that `ref` selects (by name or digest: image-query.ts). */
  async hasName(ref: string): Promise<boolean> {
    return entriesForRef(await this.index(), ref, this.store.location).length > 0;
  }

  /** Whether index.json lists anything: Docker 25.0.0 and 25.0.1 may write `"manifests": null`. */
  async listsImages(): Promise<boolean> {
    return (await this.index()).length > 0;
  }

  /** The image manifest the ref gives for `platform`: manifest() for another platform. */
  async manifestFor(platform: Platform | undefined, onWarning?: (message: string) => void): Promise<ImageManifest> {
    const root = chooseByRef(await this.index(), {
      ref: this.opts.ref,
      location: this.store.location,
      input: this.description,
      platform,
      onWarning,
    });
    return resolveManifest(root, (d) => this.document(d, this.opts.limits.maxManifestBytes), {
      platform,
      maxDepth: this.opts.limits.maxIndexDepth,
      input: this.description,
      onWarning,
    });
  }

  config(): Promise<ImageConfig> {
    this.configP ??= (async () => {
      const m = await this.manifest();
      return readConfig(await this.document(m.config, this.opts.limits.maxConfigBytes), m.config, m);
    })();
    return this.configP;
  }

  async openBlob(d: Descriptor, signal?: AbortSignal): Promise<Readable> {
    const path = this.blobPath(d);
    if (!(await this.store.has(path))) {
      throw new LayerlintError("NOT_FOUND", `${this.store.location}: blob ${shortDigest(d.digest)} missing`);
    }
    return this.store.stream(path, signal);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
