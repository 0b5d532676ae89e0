// zstd frames written by hand (RFC 8878 "Frames", "Blocks"): Raw blocks for
// bytes and RLE blocks for runs of one byte value, with any declared window.
// A run of gigabytes then takes a few kilobytes on disk, so resource tests
// can declare large windows and fill them without any compressor:
// https://www.rfc-editor.org/rfc/rfc8878#section-3.1.1
import { createHash, type Hash } from "node:crypto";

/** Literal bytes, or `length` copies of the byte `fill`. */
export type Segment = Uint8Array | { fill: number; length: number };

const MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

function blockHeader(size: number, type: 0 | 1, last: boolean): Buffer {
  const v = (size << 3) | (type << 1) | (last ? 1 : 0);
  return Buffer.from([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff]);
}

/**
 * One frame holding `segments`, declaring a window of 2^windowLog bytes
 * (Window_Descriptor, no Single_Segment, no content size), so a decoder
 * must size its buffer from the window alone.
 */
export function zstdFrame(segments: readonly Segment[], windowLog: number): Buffer {
  if (windowLog < 10 || windowLog > 41) throw new Error(`windowLog ${windowLog} out of range`);
  const blockMax = Math.min(2 ** windowLog, 128 * 1024);
  // Each block: [size, type, literal bytes | fill byte].
  const blocks: [number, 0 | 1, Uint8Array | number][] = [];
  for (const s of segments) {
    if (s instanceof Uint8Array) {
      for (let off = 0; off < s.length; off += blockMax) {
        const part = s.subarray(off, off + blockMax);
        blocks.push([part.length, 0, part]);
      }
    } else {
      for (let left = s.length; left > 0; left -= blockMax) blocks.push([Math.min(left, blockMax), 1, s.fill]);
    }
  }
  if (blocks.length === 0) blocks.push([0, 0, new Uint8Array(0)]);
  const parts: Uint8Array[] = [MAGIC, Buffer.from([0x00, (windowLog - 10) << 3])];
  blocks.forEach(([size, type, body], i) => {
    parts.push(blockHeader(size, type, i === blocks.length - 1));
    parts.push(typeof body === "number" ? Buffer.from([body]) : body);
  });
  return Buffer.concat(parts);
}

/** sha256 (as `sha256:…`) and length of what the segments decode to, hashed in 1 MiB pieces. */
export function segmentsDigest(segments: readonly Segment[]): { digest: string; size: number } {
  const hash: Hash = createHash("sha256");
  let size = 0;
  const runs = new Map<number, Buffer>();
  for (const s of segments) {
    if (s instanceof Uint8Array) {
      hash.update(s);
      size += s.length;
      continue;
    }
    let run = runs.get(s.fill);
    if (!run) runs.set(s.fill, (run = Buffer.alloc(1024 * 1024, s.fill)));
    for (let left = s.length; left > 0; left -= run.length) hash.update(left >= run.length ? run : run.subarray(0, left));
    size += s.length;
  }
  return { digest: `sha256:${hash.digest("hex")}`, size };
}
