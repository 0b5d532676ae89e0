import type { Readable } from "node:stream";
import tar from "tar-stream";
import { writeGzipLayout } from "./gzip-layout.js";

/**
 * Writes an OCI layout whose single gzip layer holds `fileBytes` of content
 * in one big file plus a few small ones, streaming: the generator itself
 * never holds the layer in memory either.
 */
export async function writeBigImage(dir: string, fileBytes: number): Promise<void> {
  const pack = tar.pack();
  const done = writeGzipLayout(dir, pack as unknown as Readable, { config: { User: "1000" }, createdBy: "big layer", level: 1 });
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
}
