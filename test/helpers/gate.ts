// Helpers for the policy gate tests (issue 5): temp dirs, policy files,
// and a modified copy of an OCI layout with one more layer.
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { copyLayout, readManifest } from "./layout-edit.js";

type Json = Record<string, any>;

export async function tempDir(prefix = "layerlint-gate-"): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

const sha = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const blobPath = (dir: string, digest: string) => `${dir}/blobs/sha256/${digest.slice("sha256:".length)}`;

/** A ustar header + data for one regular file (mode 0644, root, mtime 2024-01-01). */
function tarFile(name: string, data: Buffer): Buffer {
  const h = Buffer.alloc(512);
  const put = (s: string, off: number, len: number) => h.write(s, off, len, "ascii");
  put(name, 0, 100);
  const fields: Array<[number, number, number]> = [
    [100, 8, 0o644],
    [108, 8, 0],
    [116, 8, 0],
    [124, 12, data.length],
    [136, 12, 1704067200],
  ];
  for (const [off, len, v] of fields) h.write(v.toString(8).padStart(len - 1, "0") + "\0", off, len, "ascii");
  h.write("0", 156, 1, "ascii");
  h.write("ustar\0", 257, 6, "ascii");
  h.write("00", 263, 2, "ascii");
  h.fill(" ", 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8, "ascii");
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([h, data, pad]);
}

/**
 * Copies an OCI layout (single image in index.json) and appends a gzip
 * layer holding `files`, updating config diff_ids and history, the manifest
 * and index.json.
 */
export async function layoutWithExtraLayer(src: string, dest: string, files: Record<string, string>, createdBy: string): Promise<void> {
  await copyLayout(src, dest);
  const tar = Buffer.concat([...Object.entries(files).map(([p, s]) => tarFile(p.replace(/^\//, ""), Buffer.from(s))), Buffer.alloc(1024)]);
  const gz = gzipSync(tar, { level: 9 });
  const layerDigest = sha(gz);
  await writeFile(blobPath(dest, layerDigest), gz);
  const { index, manifest } = await readManifest(dest);
  const config = JSON.parse(await readFile(blobPath(dest, manifest.config.digest), "utf8")) as Json;
  config.rootfs.diff_ids.push(sha(tar));
  config.history = [...(config.history ?? []), { created: "2024-01-01T00:00:00Z", created_by: createdBy }];
  const configBytes = Buffer.from(JSON.stringify(config));
  await writeFile(blobPath(dest, sha(configBytes)), configBytes);
  manifest.config = { ...manifest.config, digest: sha(configBytes), size: configBytes.length };
  manifest.layers.push({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: layerDigest, size: gz.length });
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  await writeFile(blobPath(dest, sha(manifestBytes)), manifestBytes);
  index.manifests[0] = { ...index.manifests[0], digest: sha(manifestBytes), size: manifestBytes.length };
  await writeFile(`${dest}/index.json`, JSON.stringify(index));
}
