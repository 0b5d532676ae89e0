import { createHash } from "node:crypto";

/** Deterministic, partly compressible bytes (xorshift noise every 7th byte, letters between). */
export function sample(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = i % 7 === 0 ? x & 0xff : 0x61 + ((i >> 9) % 26);
  }
  return out;
}

/** `buf` as an async stream of `size`-byte pieces. */
export async function* pieces(buf: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let off = 0; off < buf.length; off += size) yield buf.subarray(off, off + size);
}

/** Reads a stream to its end and joins it. */
export async function drain(src: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of src) parts.push(c);
  return Buffer.concat(parts);
}

export const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
