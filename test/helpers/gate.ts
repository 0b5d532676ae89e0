// Helpers for the policy gate tests: temp dirs, policy files,
// and a modified copy of an OCI layout with one more layer.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { sha256 } from "../../fixtures/lib/digest.js";
import { END_OF_ARCHIVE, padBlock, ustarHeader } from "../../fixtures/lib/ustar-raw.js";
import { blobPath, copyLayout, editConfig } from "./layout-edit.js";

export async function tempDir(prefix = "layerlint-gate-"): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A ustar header + data for one regular file (mode 0644, root, mtime 2024-01-01). */
function tarFile(name: string, data: Buffer): Buffer {
  const header = ustarHeader({ name, mode: 0o644, uid: 0, gid: 0, size: data.length, mtime: 1704067200, typeflag: "0" });
  return Buffer.concat([header, padBlock(data)]);
}

/**
 * Copies an OCI layout (single image in index.json) and appends a gzip
 * layer holding `files`, updating config diff_ids and history, the manifest
 * and index.json.
 */
export async function layoutWithExtraLayer(src: string, dest: string, files: Record<string, string>, createdBy: string): Promise<void> {
  await copyLayout(src, dest);
  const tar = Buffer.concat([...Object.entries(files).map(([p, s]) => tarFile(p.replace(/^\//, ""), Buffer.from(s))), END_OF_ARCHIVE]);
  const gz = gzipSync(tar, { level: 9 });
  const layerDigest = sha256(gz);
  await writeFile(blobPath(dest, layerDigest), gz);
  await editConfig(
    dest,
    (config) => {
      config.rootfs.diff_ids.push(sha256(tar));
      config.history = [...(config.history ?? []), { created: "2024-01-01T00:00:00Z", created_by: createdBy }];
    },
    (manifest) => {
      manifest.layers.push({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: layerDigest, size: gz.length });
    },
  );
}
