import type { Readable } from "node:stream";
import pLimit from "p-limit";
import type { Descriptor, ImageConfig, ImageManifest, ImageSource, Platform } from "../types.js";
import { LayerlintError, shortDigest } from "../errors.js";
import { sha256Digest, verifyBytes, verifyDocument } from "../digest.js";
import { MediaType } from "../media-types.js";
import { resolveManifest } from "../resolve-manifest.js";
import { readConfig } from "../sources/read-config.js";
import type { Limits } from "../limits.js";
import { DEFAULT_TAG, type ImageReference } from "../reference/index.js";
import { RegistryHttp, defaultTimeouts, header, readCapped, type GetInit, type HttpResponse, type Timeouts } from "./http.js";
import { defaultRetryPolicy, retryDelay, sleep, type RetryPolicy } from "./retry.js";
import { BlobReader, isResumable } from "./blob-reader.js";
import { registryFailure } from "./failure.js";
import { lookupCredentials, type CredentialLookupResult } from "./auth/credentials.js";
import { VERSION } from "../version.js";

/** Progress of blob downloads; `total` is the manifest's layer count. */
export type DownloadEvent =
  | { type: "download-start"; digest: string; size: number; total: number }
  | { type: "download-progress"; digest: string; bytes: number; size: number }
  | { type: "download-done"; digest: string; size: number; done: number; total: number };

/** How to reach registries. Everything env-derived is passed in: core never reads `process`. */
export interface RegistryOptions {
  /** Environment for credential lookup (DOCKER_CONFIG, DOCKER_AUTH_CONFIG, REGISTRY_AUTH_FILE, XDG_*, HOME, PATH). No lookup without it. */
  env?: Record<string, string | undefined> | undefined;
  /** Home directory for ~/.docker and ~/.config (default env.HOME). */
  homeDir?: string | undefined;
  /** Credentials for the reference's registry only (`--username`, `--password-stdin`). */
  username?: string | undefined;
  password?: string | undefined;
  /** Names username/password in an authentication error: `--password-stdin` (default "the username and password given"). */
  credentialSource?: string | undefined;
  /** Plain http for the reference's registry only (`--plain-http`). */
  plainHttp?: boolean | undefined;
  /** Skip TLS certificate checks (`--insecure`); onWarning is told. */
  insecure?: boolean | undefined;
  onWarning?: ((message: string) => void) | undefined;
  onProgress?: ((e: DownloadEvent) => void) | undefined;
  /** Blobs downloaded at once (default 3, as dockerd's max-concurrent-downloads). */
  downloadConcurrency?: number | undefined;
  timeouts?: Partial<Timeouts> | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  userAgent?: string | undefined;
}

export const DEFAULT_DOWNLOAD_CONCURRENCY = 3;

/**
 * The manifest types we ask for, as containerd's resolver does
 * (https://github.com/containerd/containerd/blob/main/core/remotes/docker/resolver.go);
 * schema1 then arrives only from registries that insist, and is refused.
 */
export const MANIFEST_ACCEPT = [
  MediaType.ociIndex,
  MediaType.ociManifest,
  MediaType.dockerList,
  MediaType.dockerManifest,
  "*/*;q=0.1",
].join(", ");

interface RootDocument {
  desc: Descriptor;
  bytes: Buffer;
}

/**
 * An image in an OCI/Docker registry: manifests resolved through
 * the shared resolveManifest, blobs streamed into the layer pipeline with
 * resume on connection loss.
 */
export class RegistrySource implements ImageSource {
  readonly kind = "registry" as const;
  /** Normalised: `docker.io/library/nginx:1.25`, `127.0.0.1:5000/demo:latest`, `…@sha256:…` when pinned. */
  readonly reference: string;
  private readonly http: RegistryHttp;
  private readonly retry: RetryPolicy;
  private readonly timeouts: Timeouts;
  private readonly slots: ReturnType<typeof pLimit>;
  private readonly openCount = new Map<string, number>();
  private rootP?: Promise<RootDocument>;
  private manifestP?: Promise<ImageManifest>;
  private configP?: Promise<ImageConfig>;
  private layerTotal = 0;
  private layersDone = 0;

  constructor(
    readonly description: string,
    readonly ref: ImageReference,
    private readonly opts: {
      platform?: Platform | undefined;
      limits: Limits;
      registry?: RegistryOptions | undefined;
      /** Cancels manifest and config fetches too (ImageSource.manifest()/config() take none). */
      signal?: AbortSignal | undefined;
      /** Rewrites a failure to fetch what the reference names: a bare input says it was read as one. */
      explainFailure?: ((e: LayerlintError, reference: string) => LayerlintError) | undefined;
    },
  ) {
    const r = opts.registry ?? {};
    this.reference = ref.toString();
    this.slots = pLimit(Math.max(1, r.downloadConcurrency ?? DEFAULT_DOWNLOAD_CONCURRENCY));
    if (r.insecure) r.onWarning?.(`${ref.registry}: TLS certificate verification is disabled (--insecure)`);
    let creds: Promise<CredentialLookupResult> | undefined;
    this.retry = { ...defaultRetryPolicy, ...r.retry };
    this.timeouts = { ...defaultTimeouts, ...r.timeouts };
    this.http = new RegistryHttp(ref.registry, ref.host, ref.repository, {
      plainHttp: r.plainHttp ?? false,
      insecure: r.insecure ?? false,
      retry: this.retry,
      timeouts: this.timeouts,
      userAgent: r.userAgent ?? `layerlint/${VERSION}`,
      onWarning: r.onWarning,
      credentials: () => (creds ??= this.credentials(r)),
    });
  }

  /** Explicit credentials beat every store; stores are read only when the registry asks. */
  private async credentials(r: RegistryOptions): Promise<CredentialLookupResult> {
    if (r.username !== undefined || r.password !== undefined) {
      return { credential: { username: r.username ?? "", password: r.password ?? "" }, source: r.credentialSource ?? "the username and password given" };
    }
    if (!r.env) return { source: "none given" };
    return lookupCredentials(this.ref.registry, this.ref.repository, { env: r.env, homeDir: r.homeDir });
  }

  private path(kind: "manifests" | "blobs", what: string): string {
    return `/v2/${this.ref.repository}/${kind}/${what}`;
  }

  /**
   * GET a small document (manifest, config) whole, capped at `max`. A body
   * cut off, reset or stalled is fetched again from the start, with the
   * same attempts and backoff as a blob resume.
   */
  private async fetchWhole(path: string, init: GetInit, what: string, max: number): Promise<{ bytes: Buffer; res: HttpResponse }> {
    const policy = this.retry;
    for (let attempt = 1; ; attempt++) {
      const res = await this.http.get(path, init);
      if (res.status !== 200) throw await registryFailure(res, what);
      const length = Number(header(res.headers, "content-length"));
      if (length > max) {
        res.body.destroy();
        throw new LayerlintError("LIMIT_EXCEEDED", `${what} is ${length} bytes, over the ${max}-byte limit`);
      }
      try {
        return { bytes: await readCapped(res.body, max, what), res };
      } catch (e) {
        res.body.destroy();
        if (e instanceof LayerlintError || init.signal?.aborted || !isResumable(e) || attempt >= policy.attempts) throw this.http.networkError(e, what);
        await sleep(retryDelay(policy, attempt), init.signal);
      }
    }
  }

  /** GET a manifest by tag or digest, capped at maxManifestBytes. */
  private async fetchManifest(tagOrDigest: string, what: string, signal?: AbortSignal): Promise<{ bytes: Buffer; mediaType: string }> {
    const { bytes, res } = await this.fetchWhole(
      this.path("manifests", tagOrDigest),
      { accept: MANIFEST_ACCEPT, signal: signal ?? this.opts.signal },
      what,
      this.opts.limits.maxManifestBytes,
    );
    // Media type parameters are ignored (RFC 9110, "Media Type": `type/subtype; param`).
    const mediaType = (header(res.headers, "content-type") ?? "").split(";")[0]!.trim();
    return { bytes, mediaType };
  }

  /**
   * The manifest or index the reference names. By digest the body must hash
   * to it; by tag its digest is computed from the body (as ggcr does: some
   * registries send a wrong Docker-Content-Digest).
   */
  private root(): Promise<RootDocument> {
    this.rootP ??= (async () => {
      const ref = this.ref;
      // Named with the tag it fetches: `docker.io/library/nginx:latest`, not `…/nginx`.
      const shown = ref.digest !== undefined || ref.tag !== undefined ? this.reference : `${this.reference}:${DEFAULT_TAG}`;
      const what = `${shown}: manifest`;
      const explain = this.opts.explainFailure;
      const { bytes, mediaType } = await this.fetchManifest(ref.digest ?? ref.tag ?? DEFAULT_TAG, what).catch((e: unknown) => {
        throw explain && e instanceof LayerlintError && e.code !== "ABORTED" ? explain(e, shown) : e;
      });
      if (ref.digest) verifyBytes(bytes, ref.digest, "manifest");
      const digest = ref.digest ?? sha256Digest(bytes);
      const type = mediaType === "application/json" ? "" : mediaType;
      return { desc: { mediaType: type, digest, size: bytes.length }, bytes };
    })();
    return this.rootP;
  }

  /** What `layerlint digest` prints: the digest of the manifest or index the reference names (like crane digest). */
  async rootDigest(): Promise<string> {
    return (await this.root()).desc.digest;
  }

  manifest(): Promise<ImageManifest> {
    this.manifestP ??= (async () => {
      const root = await this.root();
      const m = await resolveManifest(root.desc, (d) => this.document(d, root), {
        platform: this.opts.platform,
        maxDepth: this.opts.limits.maxIndexDepth,
        input: this.description,
        onWarning: this.opts.registry?.onWarning,
        // root.desc's type is the response's Content-Type (an index's children are descriptors).
        rootTypeIsContentType: root.desc.mediaType !== "",
      });
      this.layerTotal = m.layers.length;
      return m;
    })();
    return this.manifestP;
  }

  /** A child manifest of an index, by digest, size- and digest-checked. */
  private async document(d: Descriptor, root: RootDocument): Promise<Uint8Array> {
    if (d.digest === root.desc.digest) return root.bytes;
    const max = this.opts.limits.maxManifestBytes;
    if (d.size > max) throw new LayerlintError("LIMIT_EXCEEDED", `manifest ${shortDigest(d.digest)} is ${d.size} bytes, over the ${max}-byte limit`);
    const { bytes } = await this.fetchManifest(d.digest, `${this.ref.name}@${shortDigest(d.digest)}: manifest`);
    verifyDocument(bytes, d, "manifest");
    return bytes;
  }

  config(): Promise<ImageConfig> {
    this.configP ??= (async () => {
      const m = await this.manifest();
      const max = this.opts.limits.maxConfigBytes;
      if (m.config.size > max) {
        throw new LayerlintError("LIMIT_EXCEEDED", `config ${shortDigest(m.config.digest)} is ${m.config.size} bytes, over the ${max}-byte limit`);
      }
      const { bytes } = await this.fetchWhole(this.path("blobs", m.config.digest), { signal: this.opts.signal }, `${this.ref.name}: config ${shortDigest(m.config.digest)}`, max);
      verifyDocument(bytes, m.config, "config");
      return readConfig(bytes, m.config, m);
    })();
    return this.configP;
  }

  /** Holds one download slot until the stream closes; a re-read of a blob already open takes none (no deadlock). */
  private async acquire(digest: string): Promise<() => void> {
    const n = this.openCount.get(digest) ?? 0;
    this.openCount.set(digest, n + 1);
    let release: () => void = () => {};
    if (n === 0) {
      release = await new Promise<() => void>((got) => {
        void this.slots(() => new Promise<void>((done) => got(done)));
      });
    }
    let once = false;
    return () => {
      if (once) return;
      once = true;
      this.openCount.set(digest, (this.openCount.get(digest) ?? 1) - 1);
      release();
    };
  }

  async openBlob(d: Descriptor, signal?: AbortSignal): Promise<Readable> {
    const release = await this.acquire(d.digest);
    const named = `${this.ref.name}: blob ${shortDigest(d.digest)}`;
    let first: HttpResponse;
    try {
      first = await this.http.get(this.path("blobs", d.digest), { signal });
      if (first.status !== 200) throw await registryFailure(first, named);
      first.stream();
    } catch (e) {
      release();
      throw e;
    }
    const p = this.opts.registry?.onProgress;
    const what = `${this.ref.registry}: blob ${shortDigest(d.digest)}`;
    p?.({ type: "download-start", digest: d.digest, size: d.size, total: this.layerTotal });
    const stream = new BlobReader(first, {
      refetch: (from) => this.http.get(this.path("blobs", d.digest), { rangeFrom: from, signal }),
      refused: (res) => registryFailure(res, named),
      fail: (e) => this.http.networkError(e, what),
      policy: this.retry,
      what,
      signal,
      windowMs: this.timeouts.blobWindowMs,
      minBytes: this.timeouts.blobMinBytes,
      onBytes: p && ((bytes) => p({ type: "download-progress", digest: d.digest, bytes, size: d.size })),
      onEnd: () => {
        this.layersDone++;
        p?.({ type: "download-done", digest: d.digest, size: d.size, done: this.layersDone, total: this.layerTotal });
      },
    });
    stream.once("close", release);
    return stream;
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
