import type { z } from "zod";
import { LayerlintError, shortDigest } from "../errors.js";
import { sha256Digest } from "../digest.js";
import { parseJson } from "../parse-json.js";
import { dockerSaveManifestSchema } from "../schemas.js";
import type { BlobStore } from "./blob-store.js";
import type { LocalOpenOptions } from "./oci-layout-source.js";
import { familiarName, idHint, matchesName, normalizedName, parseImageQuery, selectByQuery, shortIds } from "./image-query.js";

export type DockerEntry = z.infer<typeof dockerSaveManifestSchema>[number];

/** The image a docker save archive's manifest.json gives for a ref, and its config bytes. */
export interface DockerImage {
  entry: DockerEntry;
  configBytes: Buffer;
}

const tagsOf = (e: DockerEntry): string[] => e.RepoTags ?? [];

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
 * Config bytes by path, each read once (entries may share a config), and
 * their digests: an image's ID is its config's digest, whatever the file
 * is called (https://github.com/moby/moby/blob/v20.10.24/image/tarexport/load.go).
 */
class Configs {
  private readonly read = new Map<string, Promise<Buffer>>();
  constructor(
    private readonly store: BlobStore,
    private readonly max: number,
  ) {}

  bytes(e: DockerEntry): Promise<Buffer> {
    let p = this.read.get(e.Config);
    if (p === undefined) {
      p = this.store.readSmall(e.Config, this.max);
      this.read.set(e.Config, p);
    }
    return p;
  }

  async digest(e: DockerEntry): Promise<string> {
    return sha256Digest(await this.bytes(e));
  }

  async digests(entries: readonly DockerEntry[]): Promise<Map<DockerEntry, string>> {
    const out = new Map<DockerEntry, string>();
    for (const e of entries) out.set(e, await this.digest(e));
    return out;
  }
}

/** A tag set compared as docker compares names (`app` is `docker.io/library/app:latest`). */
const tagKey = (e: DockerEntry) => tagsOf(e).map((t) => normalizedName(t) ?? t).sort().join(",");

/**
 * The entry `docker load` leaves a tag pointing at: moby loads the entries
 * in order and moves each tag to every later image that carries it
 * (tarexporter.Load and setLoadedTag, AddTag with force:
 * https://github.com/moby/moby/blob/v20.10.24/image/tarexport/load.go), so
 * the LAST entry with the tag wins. A ref is a tag, read as docker reads
 * names (a RepoTags entry without a tag is `:latest`, as go-containerregistry's
 * tarball reads it), else an image ID or a short one (image-query.ts).
 * Without a ref: the only image, or the last when every entry carries the
 * same tags (one name, several images); otherwise the user must pick.
 * `undefined`: the ref selects nothing here. `images` counts the distinct
 * configs the choice was made among.
 */
async function pickDockerEntry(
  entries: DockerEntry[],
  ref: string | undefined,
  loc: string,
  configs: Configs,
): Promise<{ entry: DockerEntry; name: string | undefined; images: number } | undefined> {
  let hits: DockerEntry[];
  let name = ref;
  if (ref !== undefined) {
    const q = parseImageQuery(ref);
    hits = entries.filter((e) => matchesName(q, tagsOf(e)));
    if (hits.length === 0 && (q.digest !== undefined || q.idPrefix !== undefined)) {
      const ids = await configs.digests(entries);
      hits = selectByQuery(entries, q, tagsOf, (e) => ids.get(e)!, loc);
    }
    if (hits.length === 0) return undefined;
  } else {
    if (entries.length === 0) throw new LayerlintError("MANIFEST_INVALID", `${loc}: manifest.json lists no images`);
    hits = entries;
    name = tagsOf(entries[0]!)[0];
    const first = tagKey(entries[0]!);
    if (entries.length > 1 && (first === "" || entries.some((e) => tagKey(e) !== first))) {
      const ids = await configs.digests(entries);
      if (new Set(ids.values()).size > 1) throw ambiguous(entries, ids, loc);
    }
  }
  const distinct = hits.length === 1 ? 1 : new Set((await configs.digests(hits)).values()).size;
  return { entry: hits[hits.length - 1]!, name, images: distinct };
}

/** Several images and no ref: what `:REF` takes to choose one (tags, else short IDs). */
function ambiguous(entries: readonly DockerEntry[], ids: Map<DockerEntry, string>, loc: string): LayerlintError {
  const distinct = [...new Set(ids.values())];
  const short = new Map(distinct.map((d, i) => [d, shortIds(distinct)[i]!]));
  if (entries.every((e) => tagsOf(e).length === 0)) {
    return new LayerlintError("AMBIGUOUS_IMAGE", `${loc}: holds several images; select one by digest: ${[...short.values()].join(", ")}`);
  }
  const labels = new Map<string, string>();
  for (const e of entries) {
    const id = ids.get(e)!;
    const tag = tagsOf(e)[0];
    if (!labels.has(id) || (tag !== undefined && labels.get(id) === short.get(id))) labels.set(id, tag !== undefined ? familiarName(tag) : short.get(id)!);
  }
  return new LayerlintError("AMBIGUOUS_IMAGE", `${loc}: holds several images, pick one with :REF; available: ${[...new Set(labels.values())].join(", ")}`);
}

/** Every tag, and the short ID of each untagged image: what `:REF` can be. */
async function available(entries: readonly DockerEntry[], configs: Configs): Promise<string> {
  const tags = entries.flatMap(tagsOf);
  const untagged = entries.filter((e) => tagsOf(e).length === 0);
  const ids = shortIds([...new Set((await configs.digests(untagged)).values())]);
  return [...new Set([...tags, ...ids])].join(", ") || "none";
}

/** Whether manifest.json has an image that `ref` selects. */
export async function dockerKnows(store: BlobStore, opts: LocalOpenOptions, ref: string): Promise<boolean> {
  return (await readDockerImage(store, { ...opts, ref, onWarning: undefined }, true)) !== undefined;
}

/**
 * Reads manifest.json and the chosen entry's config. A tag that names
 * several images is reported through `onWarning`; a ref that selects
 * nothing is NOT_FOUND, or `undefined` when `missingOk` (the archive check asks).
 */
export async function readDockerImage(store: BlobStore, opts: LocalOpenOptions, missingOk: true): Promise<DockerImage | undefined>;
export async function readDockerImage(store: BlobStore, opts: LocalOpenOptions, missingOk?: false): Promise<DockerImage>;
export async function readDockerImage(store: BlobStore, opts: LocalOpenOptions, missingOk = false): Promise<DockerImage | undefined> {
  const loc = store.location;
  const entries = await readDockerEntries(store, opts);
  const configs = new Configs(store, opts.limits.maxConfigBytes);
  const picked = await pickDockerEntry(entries, opts.ref, loc, configs);
  if (picked === undefined) {
    if (missingOk) return undefined;
    throw new LayerlintError("NOT_FOUND", `${loc}: no image tagged "${opts.ref}"${idHint(opts.ref!)}; available: ${await available(entries, configs)}`);
  }
  const configBytes = await configs.bytes(picked.entry);
  if (picked.images > 1) {
    opts.onWarning?.(
      `${loc}: tag ${picked.name} names ${picked.images} images; using the last, as docker load does (${shortDigest(sha256Digest(configBytes))})`,
    );
  }
  return { entry: picked.entry, configBytes };
}
