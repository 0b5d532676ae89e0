import type { Descriptor, ImageManifest, Platform } from "./types.js";
import { LayerlintError, shortDigest } from "./errors.js";
import { isIndexType, isManifestType, isSchema1Type } from "./media-types.js";
import { parseJson } from "./parse-json.js";
import { indexSchema, manifestSchema } from "./schemas.js";
import { selectManifest } from "./platform.js";

/** Fetches a descriptor's bytes, verified against its digest and size. */
export type FetchDocument = (d: Descriptor) => Promise<Uint8Array>;

export interface ResolveOptions {
  platform?: Platform | undefined;
  maxDepth: number;
}

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
  let desc = root;
  for (let depth = 0; ; depth++) {
    if (depth > opts.maxDepth) {
      throw new LayerlintError("LIMIT_EXCEEDED", `index nesting deeper than ${opts.maxDepth} at ${shortDigest(desc.digest)}`);
    }
    if (seen.has(desc.digest)) {
      throw new LayerlintError("MANIFEST_INVALID", `index ${shortDigest(desc.digest)} refers to itself`);
    }
    seen.add(desc.digest);
    const bytes = await fetch(desc);
    const kind = documentKind(desc.mediaType, bytes);
    const what = `${kind === "index" ? "index" : "manifest"} ${shortDigest(desc.digest)}`;
    if (kind === "schema1") {
      throw new LayerlintError("UNSUPPORTED_SCHEMA1", `${what}: unsupported legacy schema1 manifest`);
    }
    if (kind === "index") {
      const index = parseJson(bytes, indexSchema, what, "MANIFEST_INVALID");
      if (index.manifests.length === 0) throw new LayerlintError("MANIFEST_INVALID", `${what}: empty index`);
      desc = selectManifest(index.manifests as Descriptor[], opts.platform);
      continue;
    }
    const m = parseJson(bytes, manifestSchema, what, "MANIFEST_INVALID");
    if (m.mediaType && m.mediaType !== desc.mediaType && isManifestType(desc.mediaType)) {
      throw new LayerlintError("MANIFEST_INVALID", `${what}: mediaType ${m.mediaType} differs from its descriptor's ${desc.mediaType}`);
    }
    return {
      mediaType: m.mediaType ?? desc.mediaType,
      digest: desc.digest,
      config: m.config as Descriptor,
      layers: m.layers as Descriptor[],
      annotations: m.annotations,
      platform: desc.platform,
    };
  }
}

/**
 * What a document is: by media type when known, else by its keys, as
 * containerd tells untyped manifests apart (validateMediaType in
 * https://github.com/containerd/containerd/blob/v1.6.20/images/image.go).
 */
function documentKind(mediaType: string, bytes: Uint8Array): "index" | "manifest" | "schema1" {
  if (isIndexType(mediaType)) return "index";
  if (isManifestType(mediaType)) return "manifest";
  if (isSchema1Type(mediaType)) return "schema1";
  let doc: Record<string, unknown> = {};
  try {
    const v: unknown = JSON.parse(Buffer.from(bytes).toString("utf8"));
    if (v && typeof v === "object") doc = v as Record<string, unknown>;
  } catch {
    // parseJson reports invalid JSON with the document's name.
  }
  if (doc.schemaVersion === 1 || "fsLayers" in doc) return "schema1";
  if (Array.isArray(doc.manifests)) return "index";
  if ("layers" in doc || "config" in doc) return "manifest";
  throw new LayerlintError("UNSUPPORTED_MEDIA_TYPE", `descriptor ${shortDigest("digest" in doc ? String(doc.digest) : "?")}: unsupported media type "${mediaType}"`);
}
