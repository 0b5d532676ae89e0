import type { z } from "zod";
import { LayerlintError, shortDigest } from "../errors.js";
import { sha256Digest } from "../digest.js";
import { parseJson } from "../parse-json.js";
import { dockerSaveManifestSchema } from "../schemas.js";
import type { BlobStore } from "./blob-store.js";
import { familiarForms } from "./choose-by-ref.js";
import type { LocalOpenOptions } from "./oci-layout-source.js";

export type DockerEntry = z.infer<typeof dockerSaveManifestSchema>[number];

/** The image a docker save archive's manifest.json gives for a ref, and its config bytes. */
export interface DockerImage {
  entry: DockerEntry;
  configBytes: Buffer;
}

const tagsOf = (e: DockerEntry): string[] => e.RepoTags ?? [];
const tagged = (e: DockerEntry, ref: string): boolean =>
  tagsOf(e).some((t) => familiarForms(t).includes(ref) || familiarForms(ref).includes(t));

/** manifest.json, parsed and schema-checked. */
export async function readDockerEntries(store: BlobStore, opts: LocalOpenOptions): Promise<DockerEntry[]> {
  const loc = store.location;
  if (!(await store.has("manifest.json"))) {
    throw new LayerlintError("ARCHIVE_INVALID", `${loc}: not a docker save archive (no manifest.json)`);
  }
  return parseJson(
    await store.readSmall("manifest.json", opts.limits.maxManifestBytes),
    dockerSaveManifestSchema,
    `${loc}: manifest.json`,
    "MANIFEST_INVALID",
  );
}

/**
 * The entry `docker load` leaves a tag pointing at: moby loads the entries
 * in order and moves each tag to every later image that carries it
 * (tarexporter.Load and setLoadedTag, AddTag with force:
 * https://github.com/moby/moby/blob/v20.10.24/image/tarexport/load.go), so
 * the LAST entry with the tag wins. Without a ref: the only entry, or the
 * last when every entry carries the same tags (one name, several images);
 * otherwise the user must pick. `undefined`: the ref tags nothing here.
 * `images` counts the distinct configs that carried the name.
 */
export function pickDockerEntry(
  entries: DockerEntry[],
  ref: string | undefined,
  loc: string,
): { entry: DockerEntry; name: string | undefined; images: number } | undefined {
  let hits: DockerEntry[];
  let name = ref;
  if (ref !== undefined) {
    hits = entries.filter((e) => tagged(e, ref));
    if (hits.length === 0) return undefined;
  } else {
    if (entries.length === 0) throw new LayerlintError("MANIFEST_INVALID", `${loc}: manifest.json lists no images`);
    const tagSet = (e: DockerEntry) => [...tagsOf(e)].sort().join(",");
    const first = tagSet(entries[0]!);
    if (entries.length > 1 && (first === "" || entries.some((e) => tagSet(e) !== first))) {
      throw new LayerlintError(
        "AMBIGUOUS_IMAGE",
        `${loc}: holds several images, pick one with :REF; available: ${entries.map((e) => tagsOf(e)[0] ?? e.Config).join(", ")}`,
      );
    }
    hits = entries;
    name = tagsOf(entries[0]!)[0];
  }
  return { entry: hits[hits.length - 1]!, name, images: new Set(hits.map((e) => e.Config)).size };
}

/**
 * Reads manifest.json and the chosen entry's config. A tag that names
 * several images is reported through `onWarning`; a ref that tags nothing
 * is NOT_FOUND, or `undefined` when `missingOk` (the archive check asks).
 */
export async function readDockerImage(store: BlobStore, opts: LocalOpenOptions, missingOk: true): Promise<DockerImage | undefined>;
export async function readDockerImage(store: BlobStore, opts: LocalOpenOptions, missingOk?: false): Promise<DockerImage>;
export async function readDockerImage(store: BlobStore, opts: LocalOpenOptions, missingOk = false): Promise<DockerImage | undefined> {
  const loc = store.location;
  const entries = await readDockerEntries(store, opts);
  const picked = pickDockerEntry(entries, opts.ref, loc);
  if (picked === undefined) {
    if (missingOk) return undefined;
    throw new LayerlintError("NOT_FOUND", `${loc}: no image tagged "${opts.ref}"; available: ${entries.flatMap(tagsOf).join(", ") || "none"}`);
  }
  const configBytes = await store.readSmall(picked.entry.Config, opts.limits.maxConfigBytes);
  if (picked.images > 1) {
    opts.onWarning?.(
      `${loc}: tag ${picked.name} names ${picked.images} images; using the last, as docker load does (${shortDigest(sha256Digest(configBytes))})`,
    );
  }
  return { entry: picked.entry, configBytes };
}
