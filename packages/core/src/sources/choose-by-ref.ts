import type { Descriptor, Platform } from "../types.js";
import { LayerlintError, shortDigest } from "../errors.js";
import { formatPlatform, isAttestationDescriptor, normalizePlatform, selectManifest } from "../platform.js";
import { isArtifactDescriptor, onlyArtifacts } from "../artifact.js";
import { familiarName, idHint, normalizedName, parseImageQuery, selectByQuery, shortIds } from "./image-query.js";

const REF_NAME = "org.opencontainers.image.ref.name";
const CONTAINERD_NAME = "io.containerd.image.name";

/**
 * The names an index.json entry answers to: its ref.name
 * (https://github.com/opencontainers/image-spec/blob/main/annotations.md)
 * and containerd's full image name.
 */
export function namesOf(d: Descriptor): string[] {
  const names: string[] = [];
  const full = d.annotations?.[CONTAINERD_NAME];
  if (full) names.push(full);
  const ref = d.annotations?.[REF_NAME];
  if (ref) names.push(ref);
  return names;
}

/** The name an entry is listed by: containerd's name as docker prints it, else its ref.name. */
function shownName(d: Descriptor): string | undefined {
  const full = d.annotations?.[CONTAINERD_NAME];
  return full ? familiarName(full) : d.annotations?.[REF_NAME] || undefined;
}

/** One name, normalised (`app` and `docker.io/library/app:latest` are one), for grouping. */
function nameKey(d: Descriptor): string | undefined {
  const n = shownName(d);
  return n === undefined ? undefined : (normalizedName(n) ?? n);
}

export interface ChooseOptions {
  ref: string | undefined;
  /** The layout's path, for messages. */
  location: string;
  /** The input as the user gave it, for "is not a container image". */
  input: string;
  platform: Platform | undefined;
  onWarning?: ((message: string) => void) | undefined;
}

/** The index.json entries `ref` selects (image-query.ts), or none. */
export function entriesForRef(manifests: readonly Descriptor[], ref: string, location: string): Descriptor[] {
  const images = manifests.filter((d) => !isAttestationDescriptor(d));
  return selectByQuery(images, parseImageQuery(ref), namesOf, (d) => d.digest, location);
}

/**
 * Picks the index.json entry that `ref` names. With no ref: the one image
 * (entries with one digest are one image), or, when the entries are one
 * multi-platform set, the one for `platform`. Several images and no ref is
 * an error that lists what `:REF` takes to choose one.
 *
 * Several entries under one name and for one platform are one name given
 * to several images: `ctr import` creates an image per entry in index
 * order, each Update moving the name to the later target (Client.Import,
 * https://github.com/containerd/containerd/blob/v1.6.20/import.go), so the
 * LAST one wins, with a warning.
 */
export function chooseByRef(manifests: Descriptor[], o: ChooseOptions): Descriptor {
  const { ref, location } = o;
  if (ref !== undefined) {
    const hits = entriesForRef(manifests, ref, location);
    if (hits.length === 0) {
      throw new LayerlintError("NOT_FOUND", `${location}: no image named "${ref}"${idHint(ref)}; available: ${available(images(manifests))}`);
    }
    return pick(lastPerPlatform(hits, ref, location, o.onWarning), o.platform);
  }
  const all = images(manifests);
  if (all.length === 0) {
    const artifacts = manifests.filter(isArtifactDescriptor);
    if (artifacts.length > 0) throw onlyArtifacts(o.input, artifacts);
    throw new LayerlintError("MANIFEST_INVALID", `${location}: index.json lists no images`);
  }
  if (new Set(all.map((d) => d.digest)).size === 1) return all[all.length - 1]!;
  const names = new Set(all.map(nameKey));
  if (names.size === 1 && !names.has(undefined)) {
    // One name over every entry: a multi-platform set listed directly in index.json.
    return pick(lastPerPlatform(all, shownName(all[0]!)!, location, o.onWarning), o.platform);
  }
  if (names.size === 1) {
    // No names: a multi-platform set only if every entry declares a platform of its own.
    const platforms = all.map((d) => (d.platform ? formatPlatform(normalizePlatform(d.platform)) : undefined));
    if (platforms.every((p) => p !== undefined) && new Set(platforms).size === all.length) return selectManifest(all, o.platform);
    throw new LayerlintError(
      "AMBIGUOUS_IMAGE",
      `${location}: holds several images; select one by digest: ${shortIds([...new Set(all.map((d) => d.digest))]).join(", ")}`,
    );
  }
  throw new LayerlintError("AMBIGUOUS_IMAGE", `${location}: holds several images, pick one with :REF; available: ${available(all)}`);
}

/** Entries that can be chosen as an image: not attestations, not artifacts. */
function images(manifests: readonly Descriptor[]): Descriptor[] {
  return manifests.filter((d) => !isAttestationDescriptor(d) && !isArtifactDescriptor(d));
}

function pick(candidates: Descriptor[], platform: Platform | undefined): Descriptor {
  return candidates.length === 1 ? candidates[0]! : selectManifest(candidates, platform);
}

/** Of entries sharing `name`, the last for each platform (no platform counts as one). */
function lastPerPlatform(hits: Descriptor[], name: string, location: string, onWarning?: (message: string) => void): Descriptor[] {
  const byPlatform = new Map<string, Descriptor[]>();
  for (const d of hits) {
    const key = d.platform ? formatPlatform(normalizePlatform(d.platform)) : "";
    const group = byPlatform.get(key);
    if (group) group.push(d);
    else byPlatform.set(key, [d]);
  }
  const out: Descriptor[] = [];
  for (const group of byPlatform.values()) {
    const last = group[group.length - 1]!;
    const images = new Set(group.map((d) => d.digest)).size;
    if (images > 1) {
      onWarning?.(`${location}: ${name} names ${images} images in index.json; using the last, as ctr import does (${shortDigest(last.digest)})`);
    }
    out.push(last);
  }
  return out;
}

/**
 * What `:REF` can be, one per image: its name as docker prints it, else
 * a short digest. Entries with one digest are one image.
 */
function available(entries: readonly Descriptor[]): string {
  const byDigest = new Map<string, string | undefined>();
  for (const d of entries) {
    if (!byDigest.has(d.digest) || byDigest.get(d.digest) === undefined) byDigest.set(d.digest, shownName(d));
  }
  const ids = shortIds([...byDigest.keys()]);
  const labels = [...byDigest.values()].map((n, i) => n ?? ids[i]!);
  return labels.length ? [...new Set(labels)].join(", ") : "none";
}
