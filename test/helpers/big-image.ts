import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import tar from "tar-stream";

/** Hashes and counts bytes flowing through. */
class Tap extends Transform {
  readonly hash = createHash("sha256");
  bytes = 0;
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}

async function writeBlob(dir: string, bytes: Buffer | string): Promise<{ digest: string; size: number }> {
  const buf = Buffer.from(bytes);
  const hex = createHash("sha256").update(buf).digest("hex");
  await writeFile(`${dir}/blobs/sha256/${hex}`, buf);
  return { digest: `sha256:${hex}`, size: buf.length };
}

/**
 * Writes an OCI layout whose single gzip layer holds `fileBytes` of content
 * in one big file plus a few small ones, streaming: the generator itself
 * never holds the layer in memory either.
 */
export async function writeBigImage(dir: string, fileBytes: number): Promise<void> {
  await mkdir(`${dir}/blobs/sha256`, { recursive: true });
  const pack = tar.pack();
  const raw = new Tap();
  const gz = new Tap();
  const tmp = `${dir}/blobs/sha256/layer.tmp`;
  const done = pipeline(pack, raw, zlib.createGzip({ level: 1, chunkSize: 256 * 1024 }), gz, createWriteStream(tmp));
  pack.entry({ name: "data/", type: "directory", mode: 0o755 });
  for (let i = 0; i < 10; i++) pack.entry({ name: `data/small-${i}.txt`, mode: 0o644 }, `small file ${i}\n`);
  const big = pack.entry({ name: "data/big.bin", size: fileBytes, mode: 0o644 });
  const block = Buffer.alloc(1024 * 1024, 0x61);
  for (let left = fileBytes; left > 0; left -= block.length) {
    const part = left >= block.length ? block : block.subarray(0, left);
    if (!big.write(part)) await new Promise((r) => big.once("drain", r));
  }
  big.end();
  pack.finalize();
  await done;
  const layerDigest = `sha256:${gz.hash.digest("hex")}`;
  await rename(tmp, `${dir}/blobs/sha256/${layerDigest.slice(7)}`);
  const config = await writeBlob(
    dir,
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      config: { User: "1000" },
      rootfs: { type: "layers", diff_ids: [`sha256:${raw.hash.digest("hex")}`] },
      history: [{ created_by: "big layer" }],
    }),
  );
  const manifest = await writeBlob(
    dir,
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: layerDigest, size: gz.bytes }],
    }),
  );
  await writeFile(`${dir}/oci-layout`, JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  await writeFile(
    `${dir}/index.json`,
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", ...manifest }],
    }),
  );
}
