/**
 * Provenance checks: requireDigest, forbidLatest and
 * allowedRegistries, on the registry reference the image was scanned from.
 *
 * Local inputs (OCI layout, OCI archive, docker-archive) have no registry
 * reference. Our decision, documented in the README:
 * - requireDigest passes: a local input is addressed by content. The scan
 *   verified every blob from the manifest digest down, so what was scanned
 *   is exactly `manifestDigest`; nothing can float underneath it.
 * - forbidLatest passes: no tag is involved in resolving it.
 * - allowedRegistries fails: a local file came from no registry, so it
 *   cannot prove it came from a trusted one. Scan the pushed reference, or
 *   leave allowedRegistries out of the policy used for local builds.
 */
import picomatch from "picomatch";
import { DEFAULT_TAG, DOCKER_HUB_HOST, DOCKER_HUB_REGISTRY, parseReference, type ImageReference } from "../reference/index.js";
import type { Report } from "../report.js";
import type { GateCheck } from "./evaluate.js";

function parse(reference: string): ImageReference | undefined {
  try {
    return parseReference(reference);
  } catch {
    return undefined;
  }
}

function localNote(r: Report): string {
  return `local input (${r.image.source})`;
}

export function requireDigestCheck(r: Report): GateCheck {
  const id = "require-digest";
  const limit = "pinned by digest";
  if (r.image.reference === null) {
    return {
      id,
      passed: true,
      actual: r.image.manifestDigest,
      limit,
      message: `${localNote(r)}: addressed by content, manifest ${r.image.manifestDigest} verified`,
    };
  }
  const ref = parse(r.image.reference);
  const pinned = ref?.digest !== undefined;
  return {
    id,
    passed: pinned,
    actual: r.image.reference,
    limit,
    message: pinned
      ? `${r.image.reference} is pinned by digest`
      : `${r.image.reference} is not pinned by digest; use ${r.image.pinnedReference ?? `${r.image.reference}@${r.image.manifestDigest}`}`,
  };
}

export function forbidLatestCheck(r: Report): GateCheck {
  const id = "forbid-latest";
  const limit = "not latest";
  if (r.image.reference === null) {
    return { id, passed: true, actual: null, limit, message: `${localNote(r)}: no tag to check` };
  }
  const ref = parse(r.image.reference);
  // A digest decides what is pulled, whatever the tag says; no tag means latest.
  const tag = ref?.tag ?? (ref?.digest === undefined ? DEFAULT_TAG : undefined);
  const floating = tag === DEFAULT_TAG && ref?.digest === undefined;
  return {
    id,
    passed: !floating,
    actual: tag ?? null,
    limit,
    message: floating
      ? `${r.image.reference} uses the moving tag "latest"${ref?.tag === undefined ? " (implied: no tag given)" : ""}`
      : `${r.image.reference} does not use a floating latest tag`,
  };
}

/** Docker Hub's other names all mean docker.io. */
function normaliseHost(h: string): string {
  return h === "index.docker.io" || h === DOCKER_HUB_HOST ? DOCKER_HUB_REGISTRY : h;
}

/**
 * A pattern without "/" matches the registry host (globs allowed:
 * "*.company.com"); with "/" it matches host/repository, picomatch style:
 * "ghcr.io/acme/*" covers ghcr.io/acme/app but not ghcr.io/acme/team/app
 * (use "ghcr.io/acme/**" for that).
 */
export function registryAllowed(ref: ImageReference, patterns: readonly string[]): string | undefined {
  const host = normaliseHost(ref.registry);
  const name = `${host}/${ref.repository}`;
  for (const p of patterns) {
    const slash = p.indexOf("/");
    const pattern = slash < 0 ? normaliseHost(p) : `${normaliseHost(p.slice(0, slash))}${p.slice(slash)}`;
    const subject = slash < 0 ? host : name;
    if (pattern === subject || picomatch(pattern)(subject)) return p;
  }
  return undefined;
}

export function allowedRegistriesCheck(r: Report, patterns: readonly string[]): GateCheck {
  const id = "allowed-registries";
  if (r.image.reference === null) {
    return {
      id,
      passed: false,
      actual: null,
      limit: patterns,
      message: `${localNote(r)} has no registry to check against ${patterns.join(", ")}; scan the pushed reference instead`,
    };
  }
  const ref = parse(r.image.reference);
  const match = ref ? registryAllowed(ref, patterns) : undefined;
  const name = ref ? ref.name : r.image.reference;
  return {
    id,
    passed: match !== undefined,
    actual: name,
    limit: patterns,
    message: match !== undefined ? `${name} is allowed by "${match}"` : `${name} is not from an allowed registry (${patterns.join(", ")})`,
  };
}
