/**
 * Platform parsing, normalisation and multi-arch manifest selection
 * (SPECS.md §4). Shared by the local sources and the registry client.
 */
import { LayerlintError } from "./errors.js";
import type { Descriptor, Platform } from "./types.js";

/** Media types that can be selected as an image (SPECS.md §2 "Manifest Accept"). */
export const IMAGE_MANIFEST_TYPES: ReadonlySet<string> = new Set([
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
]);
export const IMAGE_INDEX_TYPES: ReadonlySet<string> = new Set([
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
]);

/** Parses `os/arch[/variant]`; kept as written, call normalizePlatform to canonicalise. */
export function parsePlatform(s: string): Platform {
  const parts = s.split("/");
  // containerd platforms.go specifierRe: each component is [A-Za-z0-9_.-]+.
  if (parts.length < 2 || parts.length > 3 || !parts.every((p) => /^[A-Za-z0-9_.-]+$/.test(p))) {
    throw new LayerlintError("INVALID_PLATFORM", `invalid platform ${JSON.stringify(s)}: expected os/arch[/variant]`);
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/**
 * containerd/platforms database.go normaliseArch / NormalizeOS (SPECS.md §4).
 * Note `linux/arm64/v8` normalises to variant "" and `linux/arm` to `v7`.
 */
export function normalizePlatform(p: Platform): Platform {
  let os = p.os.toLowerCase();
  if (os === "macos") os = "darwin";
  let arch = p.architecture.toLowerCase();
  let variant = (p.variant ?? "").toLowerCase();

  switch (arch) {
    case "i386":
      arch = "386";
      variant = "";
      break;
    case "x86_64":
    case "x86-64":
    case "amd64":
      arch = "amd64";
      if (variant === "v1") variant = "";
      break;
    case "aarch64":
    case "arm64":
      arch = "arm64";
      if (variant === "8" || variant === "v8" || variant === "v8.0") variant = "";
      else if (variant === "9" || variant === "9.0" || variant === "v9.0") variant = "v9";
      break;
    case "armhf":
      arch = "arm";
      variant = "v7";
      break;
    case "armel":
      arch = "arm";
      variant = "v6";
      break;
    case "arm":
      if (variant === "" || variant === "7") variant = "v7";
      else if (variant === "5" || variant === "6" || variant === "8") variant = `v${variant}`;
      break;
  }

  const out: Platform = { os, architecture: arch };
  if (variant !== "") out.variant = variant;
  if (p["os.version"] !== undefined) out["os.version"] = p["os.version"];
  return out;
}

/** Exact OS/arch/variant comparison after normalising both sides (platforms.go matcher.Match). */
export function platformMatches(wanted: Platform, candidate: Platform): boolean {
  const a = normalizePlatform(wanted);
  const b = normalizePlatform(candidate);
  return a.os === b.os && a.architecture === b.architecture && (a.variant ?? "") === (b.variant ?? "");
}

/** `linux/arm64/v8`, or `linux/amd64` when there is no variant. */
export function formatPlatform(p: Platform): string {
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}

/** BuildKit attestation manifests in an index (SPECS.md §4 "BuildKit attestations"). */
export function isAttestationDescriptor(d: Descriptor): boolean {
  if (d.annotations?.["vnd.docker.reference.type"] === "attestation-manifest") return true;
  return d.platform?.os === "unknown" && d.platform.architecture === "unknown";
}

const DEFAULT_PLATFORM: Platform = { os: "linux", architecture: "amd64" };

/**
 * Picks one child of an index for `wanted` (SPECS.md §4). Attestations and
 * unknown media types are skipped without error (image-spec image-index.md).
 * With no `wanted`: the single image if there is exactly one, else linux/amd64.
 */
export function selectManifest(descriptors: Descriptor[], wanted: Platform | undefined): Descriptor {
  const candidates = descriptors.filter(
    (d) => !isAttestationDescriptor(d) && (IMAGE_MANIFEST_TYPES.has(d.mediaType) || IMAGE_INDEX_TYPES.has(d.mediaType)),
  );
  if (candidates.length === 1 && (wanted === undefined || candidates[0]!.platform === undefined)) {
    return candidates[0]!;
  }
  const target = wanted ?? DEFAULT_PLATFORM;
  const hit = candidates.find((d) => d.platform !== undefined && platformMatches(target, d.platform));
  if (hit) return hit;

  const available = [
    ...new Set(candidates.map((d) => (d.platform ? formatPlatform(d.platform) : "unknown platform"))),
  ];
  throw new LayerlintError(
    "PLATFORM_NOT_FOUND",
    `no image for platform ${formatPlatform(normalizePlatform(target))}; available: ${available.length ? available.join(", ") : "none"}`,
  );
}
