import type { Descriptor, Platform } from "../types.js";
import { LayerlintError, shortDigest } from "../errors.js";
import { formatPlatform, isAttestationDescriptor, normalizePlatform, selectManifest } from "../platform.js";

const REF_NAME = "org.opencontainers.image.ref.name";
const CONTAINERD_NAME = "io.containerd.image.name";

/** The names an index.json entry answers to: its ref.name, and containerd's full name in familiar forms. */
export function namesOf(d: Descriptor): string[] {
  const names: string[] = [];
  const ref = d.annotations?.[REF_NAME];
  if (ref) names.push(ref);
  const full = d.annotations?.[CONTAINERD_NAME];
  if (full) names.push(...familiarForms(full));
  return names;
}

/** docker.io/library/app:1 is also app:1 and library/app:1. */
export function familiarForms(name: string): string[] {
  const out = [name];
  if (name.startsWith("docker.io/")) {
    const rest = name.slice("docker.io/".length);
    out.push(rest);
    if (rest.startsWith("library/")) out.push(rest.slice("library/".length));
  }
  return out;
}

/**
 * Picks the index.json entry that `ref` names. With no ref: the single
 * entry, or, when the entries are one multi-platform set without distinct
 * names, the one for `platform`. Several named images and no ref is an
 * error that lists them.
 *
 * Several entries under one name and for one platform are one name given
 * to several images: `ctr import` creates an image per entry in index
 * order, each Update moving the name to the later target (Client.Import,
 * https://github.com/containerd/containerd/blob/v1.6.20/import.go), so the
 * LAST one wins, with a warning.
 */
export function chooseByRef(
  manifests: Descriptor[],
  ref: string | undefined,
  location: string,
  platform: Platform | undefined,
  onWarning?: (message: string) => void,
): Descriptor {
  const images = manifests.filter((d) => !isAttestationDescriptor(d));
  if (ref !== undefined) {
    const hits = images.filter((d) => namesOf(d).includes(ref));
    if (hits.length === 0) {
      throw new LayerlintError("NOT_FOUND", `${location}: no image named "${ref}"; available: ${listNames(images)}`);
    }
    return pick(lastPerPlatform(hits, ref, location, onWarning), platform);
  }
  if (images.length === 0) throw new LayerlintError("MANIFEST_INVALID", `${location}: index.json lists no images`);
  if (images.length === 1) return images[0]!;
  const named = new Set(images.map((d) => namesOf(d)[0]).filter((n) => n !== undefined));
  if (named.size > 1) {
    throw new LayerlintError("AMBIGUOUS_IMAGE", `${location}: holds several images, pick one with :REF; available: ${listNames(images)}`);
  }
  // One name (or none) over every entry: a set of per-platform manifests
  // listed directly in index.json. Unnamed entries are no image to ctr
  // import, so only named ones collapse to the last per platform.
  const [name] = named;
  return pick(name === undefined ? images : lastPerPlatform(images, name, location, onWarning), platform);
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

function listNames(images: Descriptor[]): string {
  const names = images.map((d) => namesOf(d)[0] ?? d.digest);
  return names.length ? names.join(", ") : "none";
}
