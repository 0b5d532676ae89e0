import { cp, readFile, writeFile } from "node:fs/promises";
import { sha256 } from "../../fixtures/lib/digest.js";

type Json = Record<string, any>;

/** Where a layout keeps the blob `digest` (`sha256:…`). */
export const blobPath = (dir: string, digest: string) => `${dir}/blobs/sha256/${digest.slice("sha256:".length)}`;

async function putBlob(dir: string, doc: Json): Promise<{ digest: string; size: number }> {
  const bytes = Buffer.from(JSON.stringify(doc));
  const digest = sha256(bytes);
  await writeFile(blobPath(dir, digest), bytes);
  return { digest, size: bytes.length };
}

/** Copies an OCI layout with a single image manifest in index.json, for tests that break it. */
export async function copyLayout(src: string, dest: string): Promise<void> {
  await cp(src, dest, { recursive: true });
}

export async function readManifest(dir: string): Promise<{ index: Json; manifest: Json }> {
  const index = JSON.parse(await readFile(`${dir}/index.json`, "utf8")) as Json;
  const manifest = JSON.parse(await readFile(blobPath(dir, index.manifests[0].digest), "utf8")) as Json;
  return { index, manifest };
}

/**
 * Rewrites the config (and so the manifest and index.json) consistently: only what `edit` changes is wrong.
 * `editManifest` may change the manifest too (after its config descriptor is updated) before it is written.
 */
export async function editConfig(dir: string, edit: (config: Json) => void, editManifest?: (manifest: Json) => void): Promise<void> {
  const { index, manifest } = await readManifest(dir);
  const config = JSON.parse(await readFile(blobPath(dir, manifest.config.digest), "utf8")) as Json;
  edit(config);
  Object.assign(manifest.config, await putBlob(dir, config));
  editManifest?.(manifest);
  Object.assign(index.manifests[0], await putBlob(dir, manifest));
  await writeFile(`${dir}/index.json`, JSON.stringify(index));
}

/** Flips one byte in the middle of a blob, leaving its name (the digest) unchanged. */
export async function corruptBlob(dir: string, digest: string): Promise<void> {
  const p = blobPath(dir, digest);
  const bytes = await readFile(p);
  const i = Math.floor(bytes.length / 2);
  bytes[i] = bytes[i]! ^ 0xff;
  await writeFile(p, bytes);
}
