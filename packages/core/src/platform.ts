/**
 * Platform parsing, normalisation and multi-arch manifest selection, after
 * containerd's platforms package (https://github.com/containerd/platforms).
 * Shared by the local sources and the registry client.
 */
import { LayerlintError } from "./errors.js";
import type { Descriptor, Platform } from "./types.js";
import { isArtifactDescriptor } from "./artifact.js";

/** Media types that can be selected as an image (https://github.com/opencontainers/image-spec/blob/main/media-types.md). */
export const IMAGE_MANIFEST_TYPES: ReadonlySet<string> = new Set([
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
]);
export const IMAGE_INDEX_TYPES: ReadonlySet<string> = new Set([
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
]);

/**
 * Architectures containerd knows (database.go isKnownArch) and the aliases
 * its normalizeArch maps onto them
 * (https://github.com/containerd/platforms/blob/main/database.go).
 */
const KNOWN_ARCHES: ReadonlySet<string> = new Set([
  "386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "ppc64", "ppc64le", "loong64", "mips", "mipsle", "mips64",
  "mips64le", "mips64p32", "mips64p32le", "ppc", "riscv", "riscv64", "s390", "s390x", "sparc", "sparc64", "wasm",
  "i386", "x86_64", "x86-64", "aarch64", "armhf", "armel",
]);

/**
 * `arm64` → `linux/arm64`, and `arm64/v8`, `arm/v7` → `linux/arm64/v8`,
 * `linux/arm/v7`: an architecture alone means linux, as `docker run
 * --platform arm64` takes it (containerd's platforms.Parse fills in the
 * OS for a lone known architecture; images are linux unless they say
 * otherwise). Anything else is left to the os/arch[/variant] grammar.
 */
function withDefaultOs(parts: string[]): string[] {
  const arch = parts[0]!.toLowerCase();
  if (!KNOWN_ARCHES.has(arch)) return parts;
  if (parts.length === 1) return ["linux", ...parts];
  if (parts.length === 2 && /^v?\d+(\.\d+)?$/i.test(parts[1]!)) return ["linux", ...parts];
  return parts;
}

/**
 * Parses `os/arch[/variant]`, or an architecture alone with an optional
 * variant (`arm64`, `arm/v7`) as linux; kept as written, call
 * normalizePlatform to canonicalise.
 */
export function parsePlatform(s: string): Platform {
  const parts = withDefaultOs(s.split("/"));
  // containerd platforms.go specifierRe: each component is [A-Za-z0-9_.-]+.
  if (parts.length < 2 || parts.length > 3 || !parts.every((p) => /^[A-Za-z0-9_.-]+$/.test(p))) {
    throw new LayerlintError("INVALID_PLATFORM", `invalid platform ${JSON.stringify(s)}: expected os/arch[/variant]`);
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/**
 * containerd/platforms database.go normalizeArch / NormalizeOS
 * (https://github.com/containerd/platforms/blob/main/database.go).
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

/** BuildKit attestation manifests in an index (https://github.com/moby/buildkit/blob/master/docs/attestations/attestation-storage.md). */
export function isAttestationDescriptor(d: Descriptor): boolean {
  if (d.annotations?.["vnd.docker.reference.type"] === "attestation-manifest") return true;
  return d.platform?.os === "unknown" && d.platform.architecture === "unknown";
}

const DEFAULT_PLATFORM: Platform = { os: "linux", architecture: "amd64" };

/**
 * Picks one child of an index for `wanted`. Attestations, entries that say
 * they are artifacts (`artifactType`) and unknown media types are skipped
 * without error (https://github.com/opencontainers/image-spec/blob/main/image-index.md).
 * With no `wanted`: the single image if there is exactly one, else linux/amd64.
 */
export function selectManifest(descriptors: Descriptor[], wanted: Platform | undefined): Descriptor {
  const candidates = descriptors.filter(
    (d) =>
      !isAttestationDescriptor(d) &&
      !isArtifactDescriptor(d) &&
      (IMAGE_MANIFEST_TYPES.has(d.mediaType) || IMAGE_INDEX_TYPES.has(d.mediaType)),
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

/**
 * Throws unless an image is the platform the user asked for. A single
 * image (no index to choose from) is otherwise taken whatever its
 * platform, and a gate for linux/arm64 would pass on an amd64 image it
 * never saw. The image's platform is its index descriptor's when one
 * declared it, else its config's, as containerd's images.Manifest reads it
 * (https://github.com/containerd/containerd/blob/v1.6.20/images/image.go).
 * A config that records no variant matches on OS and architecture alone,
 * as moby's OnlyPlatformWithFallback does: the variant is not in the
 * image-spec config (https://github.com/moby/moby/blob/v20.10.24/daemon/images/image.go).
 */
export function requireImagePlatform(wanted: Platform, declared: Platform | undefined, config: Platform, input: string): void {
  const actual = declared ?? config;
  const ok = declared !== undefined || config.variant ? platformMatches(wanted, actual) : sameOsArch(wanted, actual);
  if (!ok) {
    throw new LayerlintError(
      "PLATFORM_NOT_FOUND",
      `${input} is ${formatPlatform(actual)} only; --platform ${formatPlatform(wanted)} does not match`,
    );
  }
}

function sameOsArch(a: Platform, b: Platform): boolean {
  const x = normalizePlatform(a);
  const y = normalizePlatform(b);
  return x.os === y.os && x.architecture === y.architecture;
}
