import type { Descriptor } from "./types.js";
import { LayerlintError } from "./errors.js";
import { MediaType, isLayerType } from "./media-types.js";

/** Config media types of a container image (image-spec config.md; Docker image manifest v2, schema 2). */
const IMAGE_CONFIG_TYPES: ReadonlySet<string> = new Set([MediaType.ociConfig, MediaType.dockerConfig]);

/**
 * An index entry that says it is an artifact: `artifactType` set
 * (https://github.com/opencontainers/image-spec/blob/main/descriptor.md).
 * Choosing an image skips it, as it skips attestation manifests.
 */
export function isArtifactDescriptor(d: Pick<Descriptor, "artifactType">): boolean {
  return d.artifactType !== undefined && d.artifactType !== "";
}

/**
 * Why a manifest body is no container image, or undefined when it is one:
 * - `artifactType X`: it sets artifactType, or its config is not an image
 *   config (a Helm chart's application/vnd.cncf.helm.config.v1+json): the
 *   config media type is then the artifact's type
 *   (https://github.com/opencontainers/image-spec/blob/main/manifest.md#guidelines-for-artifact-usage);
 * - `layer media type X`: a layer that is no tar, as a cosign signature's
 *   application/vnd.dev.cosign.simplesigning.v1+json, under an image config.
 * Read from the parsed JSON before it is validated as an image manifest, so
 * an artifact never gets an image schema's complaint about its config.
 */
export function artifactReason(body: unknown): string | undefined {
  if (!body || typeof body !== "object") return undefined;
  const m = body as { artifactType?: unknown; config?: unknown; layers?: unknown };
  if (typeof m.artifactType === "string" && m.artifactType !== "") return `artifactType ${m.artifactType}`;
  const configType = typeOf(m.config);
  if (configType !== undefined && !IMAGE_CONFIG_TYPES.has(configType)) return `artifactType ${configType}`;
  if (Array.isArray(m.layers)) {
    for (const l of m.layers) {
      const t = typeOf(l);
      if (t !== undefined && !isLayerType(t)) return `layer media type ${t}`;
    }
  }
  return undefined;
}

function typeOf(d: unknown): string | undefined {
  const t = d && typeof d === "object" ? (d as { mediaType?: unknown }).mediaType : undefined;
  return typeof t === "string" ? t : undefined;
}

/** `<input> is not a container image (artifactType …)`. */
export function notAnImage(input: string, reason: string): LayerlintError {
  return new LayerlintError("NOT_AN_IMAGE", `${input} is not a container image (${reason})`);
}

/** The error for an index whose entries are all artifacts: their types, each once. */
export function onlyArtifacts(input: string, entries: readonly Pick<Descriptor, "artifactType">[]): LayerlintError {
  const types = [...new Set(entries.map((d) => d.artifactType ?? ""))].filter((t) => t !== "");
  return notAnImage(input, `artifactType ${types.join(", ")}`);
}
