import type { ChosenFromIndex, Descriptor, ImageManifest, Platform } from "./types.js";
import { LayerlintError, shortDigest } from "./errors.js";
import { isIndexType, isManifestType, isSchema1Type } from "./media-types.js";
import { parseJson } from "./parse-json.js";
import { indexSchema, manifestSchema } from "./schemas.js";
import { selectManifest } from "./platform.js";
import { artifactReason, isArtifactDescriptor, notAnImage, onlyArtifacts } from "./artifact.js";

/** Fetches a descriptor's bytes, verified against its digest and size. */
export type FetchDocument = (d: Descriptor) => Promise<Uint8Array>;

export interface ResolveOptions {
  platform?: Platform | undefined;
  maxDepth: number;
  /** The input as the user gave it, for `<input> is not a container image (…)`. */
  input?: string | undefined;
  /** Hears that a descriptor's media type differs from its body's, both of one kind. */
  onWarning?: ((message: string) => void) | undefined;
  /**
   * The root descriptor's media type is a registry's Content-Type: a body
   * whose own mediaType differs is refused, as the distribution-spec tells
   * clients (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests).
   */
  rootTypeIsContentType?: boolean | undefined;
}

type Kind = "index" | "manifest" | "schema1";

/**
 * Follows a descriptor through (possibly nested) indexes to one image
 * manifest for the wanted platform. Local sources and the registry client
 * share this, so both choose the same image.
 */
export async function resolveManifest(
  root: Descriptor,
  fetch: FetchDocument,
  opts: ResolveOptions,
): Promise<ImageManifest> {
  const seen = new Set<string>();
  const input = opts.input ?? "input";
  let desc = root;
  let fromIndex: ChosenFromIndex | undefined;
  for (let depth = 0; ; depth++) {
    if (depth > opts.maxDepth) {
      throw new LayerlintError("LIMIT_EXCEEDED", `index nesting deeper than ${opts.maxDepth} at ${shortDigest(desc.digest)}`);
    }
    if (seen.has(desc.digest)) {
      throw new LayerlintError("MANIFEST_INVALID", `index ${shortDigest(desc.digest)} refers to itself`);
    }
    seen.add(desc.digest);
    const bytes = await fetch(desc);
    const body = looseJson(bytes);
    const kind = documentKind(desc, body, input, depth === 0 && opts.rootTypeIsContentType === true, opts.onWarning);
    const what = `${kind === "index" ? "index" : "manifest"} ${shortDigest(desc.digest)}`;
    if (kind === "schema1") {
      throw new LayerlintError("UNSUPPORTED_SCHEMA1", `${what}: unsupported legacy schema1 manifest`);
    }
    if (kind === "index") {
      const index = parseJson(bytes, indexSchema, what, "MANIFEST_INVALID");
      if (index.manifests.length === 0) throw new LayerlintError("MANIFEST_INVALID", `${what}: empty index`);
      const entries = index.manifests as Descriptor[];
      if (entries.every(isArtifactDescriptor)) throw onlyArtifacts(input, entries);
      const next = selectManifest(entries, opts.platform);
      // Only the outermost index: the one the input names (a nested one is an entry of it).
      fromIndex ??= { digest: desc.digest, mediaType: index.mediaType ?? desc.mediaType, manifests: entries, chosen: next.digest };
      desc = next;
      continue;
    }
    // An artifact is told apart before the image schema sees its config.
    const artifact = artifactReason(body);
    if (artifact !== undefined) throw notAnImage(input, artifact);
    const m = parseJson(bytes, manifestSchema, what, "MANIFEST_INVALID");
    return {
      mediaType: m.mediaType ?? desc.mediaType,
      digest: desc.digest,
      config: m.config as Descriptor,
      layers: m.layers as Descriptor[],
      annotations: m.annotations,
      platform: desc.platform,
      ...(fromIndex !== undefined ? { fromIndex } : {}),
    };
  }
}

function looseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    return undefined; // parseJson reports invalid JSON with the document's name.
  }
}

function kindOfType(t: string | undefined): Kind | undefined {
  if (isIndexType(t)) return "index";
  if (isManifestType(t)) return "manifest";
  if (isSchema1Type(t)) return "schema1";
  return undefined;
}

/**
 * What a document is by its keys, as containerd tells untyped manifests
 * apart (validateMediaType in
 * https://github.com/containerd/containerd/blob/v1.6.20/images/image.go).
 * A document with both `manifests` and `layers` or `config` is neither
 * (CVE-2021-41190, https://github.com/opencontainers/image-spec/security/advisories/GHSA-77vh-xpmg-72qh).
 */
function kindOfKeys(doc: Record<string, unknown>): Kind | undefined {
  if (doc.schemaVersion === 1 || "fsLayers" in doc) return "schema1";
  const index = Array.isArray(doc.manifests);
  const manifest = "layers" in doc || "config" in doc;
  if (index && !manifest) return "index";
  if (manifest && !index) return "manifest";
  return undefined;
}

/**
 * The kind of a document, from its descriptor's media type and its body's
 * own `mediaType` (or, without one, its keys). The two may name different
 * types of one kind, an OCI manifest under a Docker schema 2 descriptor or
 * the other way round, or an OCI index under a Docker list: go-containerregistry
 * reads those (https://github.com/google/go-containerregistry/blob/main/pkg/v1/layout/image.go),
 * so we read the body and warn. Kinds that differ (an index described as a
 * manifest) are an error; a body of another type is no image at all.
 */
function documentKind(desc: Descriptor, body: unknown, input: string, strict: boolean, onWarning?: (message: string) => void): Kind {
  const doc = body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const declared = typeof doc.mediaType === "string" ? doc.mediaType : undefined;
  const fromDesc = kindOfType(desc.mediaType);
  const fromBody = declared !== undefined ? kindOfType(declared) : kindOfKeys(doc);
  if (declared !== undefined && fromBody === undefined) throw notAnImage(input, `media type ${declared}`);
  const what = `${(fromBody ?? fromDesc) === "index" ? "index" : "manifest"} ${shortDigest(desc.digest)}`;
  if (fromDesc === undefined) {
    if (fromBody !== undefined) return fromBody;
    if (desc.mediaType !== "") throw notAnImage(input, `media type ${desc.mediaType}`);
    // Untyped (a registry's application/json): parseJson names what is wrong with it.
    return "manifest";
  }
  if (fromBody === undefined || declared === desc.mediaType) return fromDesc;
  if (fromBody !== fromDesc) {
    throw new LayerlintError(
      "MANIFEST_INVALID",
      `${what}: its descriptor says ${fromDesc === "index" ? "an index" : "a manifest"} (${desc.mediaType}), its body ${fromBody === "index" ? "an index" : "a manifest"}${declared ? ` (${declared})` : ""}`,
    );
  }
  if (declared === undefined) return fromDesc;
  if (strict) {
    throw new LayerlintError("MANIFEST_INVALID", `${what}: mediaType ${declared} differs from the registry's Content-Type ${desc.mediaType}`);
  }
  onWarning?.(`${what}: mediaType ${declared} differs from its descriptor's ${desc.mediaType}; read as ${declared}, as go-containerregistry does`);
  return fromBody;
}
