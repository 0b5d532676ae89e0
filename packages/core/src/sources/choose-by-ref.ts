import type { Descriptor, Platform } from "../types.js";
import { LayerlintError } from "../errors.js";
import { isAttestationDescriptor, selectManifest } from "../platform.js";

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
 * error that lists them (issue 2 §3).
 */
export function chooseByRef(
  manifests: Descriptor[],
  ref: string | undefined,
  location: string,
  platform: Platform | undefined,
): Descriptor {
  const images = manifests.filter((d) => !isAttestationDescriptor(d));
  if (ref !== undefined) {
    const hit = images.find((d) => namesOf(d).includes(ref));
    if (hit) return hit;
    throw new LayerlintError("NOT_FOUND", `${location}: no image named "${ref}"; available: ${listNames(images)}`);
  }
  if (images.length === 0) throw new LayerlintError("MANIFEST_INVALID", `${location}: index.json lists no images`);
  if (images.length === 1) return images[0]!;
  const named = new Set(images.map((d) => namesOf(d)[0]).filter((n) => n !== undefined));
  if (named.size > 1) {
    throw new LayerlintError("AMBIGUOUS_IMAGE", `${location}: holds several images, pick one with :REF; available: ${listNames(images)}`);
  }
  // One set of per-platform manifests listed directly in index.json.
  return selectManifest(images, platform);
}

function listNames(images: Descriptor[]): string {
  const names = images.map((d) => namesOf(d)[0] ?? d.digest);
  return names.length ? names.join(", ") : "none";
}
