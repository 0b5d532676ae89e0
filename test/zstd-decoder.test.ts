// The wasm zstd decoder against frames written by the real zstd CLI:
// multi-frame streams, skippable frames, long windows, every split of the
// input, truncation and corruption, and output paced by the consumer.
import { describe, it, expect, beforeAll } from "vitest";
import { execFileSync } from "node:child_process";
import { ensureDebianPackages } from "./helpers/debian.js";
import { drain, pieces, sample, sha } from "./helpers/bytes.js";
import { skippableFrame, zstdCli } from "./helpers/zstd-frames.js";
import { zstdDecompress } from "../packages/core/src/zstd-wasm.js";
import { decompress } from "../packages/core/src/compression.js";
import { LayerlintError } from "../packages/core/src/errors.js";

describe("zstd decoder (libzstd as WebAssembly)", () => {
  const plain = sample(3 * 1024 * 1024 + 17, 7);
  let frame: Buffer;

  beforeAll(() => {
    ensureDebianPackages({ zstd: "zstd" });
    frame = zstdCli(plain, "-3");
  });

  it.each([1, 7, 4096, 65_536, 1024 * 1024, 4 * 1024 * 1024])("decodes a zstd -3 frame fed in %i-byte pieces", async (size) => {
    const out = await drain(zstdDecompress(pieces(frame, size)));
    expect(out.length).toBe(plain.length);
    expect(sha(out)).toBe(sha(plain));
  });

  it("decodes concatenated frames, skippable frames and an empty frame (as zstd -dc does)", async () => {
    const second = sample(200_000, 9);
    const stream = Buffer.concat([
      skippableFrame(Buffer.from("metadata")),
      frame,
      zstdCli(Buffer.alloc(0)),
      skippableFrame(Buffer.alloc(0)),
      zstdCli(second, "-19", "--check"),
    ]);
    const expected = execFileSync("zstd", ["-q", "-dc"], { input: stream, maxBuffer: 1 << 30 });
    const out = await drain(zstdDecompress(pieces(stream, 100_003)));
    expect(sha(out)).toBe(sha(expected));
    expect(sha(out)).toBe(sha(Buffer.concat([plain, second])));
  });

  it("decodes a long-window frame (--long=27, a 128 MiB window)", async () => {
    const big = Buffer.concat([plain, plain, plain]);
    const out = await drain(zstdDecompress(pieces(zstdCli(big, "--long=27", "-1"), 1 << 20)));
    expect(sha(out)).toBe(sha(big));
  });

  it("rejects a frame whose window exceeds libzstd's default limit (--long=31)", async () => {
    const data = zstdCli(sample(100_000, 3), "--long=31", "-1");
    await expect(drain(zstdDecompress(pieces(data, 65_536)))).rejects.toThrow(
      /^zstd: frame requires too much memory for decoding$/,
    );
  });

  it.each([1, 5, 1000, 0.5])("rejects a frame cut short (keeping %s of it)", async (keep) => {
    const cut = keep < 1 ? Math.floor(frame.length * keep) : frame.length - keep;
    const err = await drain(zstdDecompress(pieces(frame.subarray(0, cut), 65_536))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LayerlintError);
    expect((err as LayerlintError).code).toBe("DECOMPRESS_FAILED");
    expect((err as Error).message).toMatch(/^zstd: /);
  });

  it("rejects a bad content checksum", async () => {
    const checked = Buffer.from(zstdCli(sample(50_000, 5), "--check"));
    checked[checked.length - 1]! ^= 0xff;
    await expect(drain(zstdDecompress(pieces(checked, 4096)))).rejects.toThrow(/^zstd: checksum mismatch$/);
  });

  it("ends with an error, never a hang, on every single-byte corruption of a small frame", async () => {
    const small = zstdCli(sample(20_000, 11), "--check");
    for (let i = 0; i < small.length; i += 3) {
      const bad = Buffer.from(small);
      bad[i]! ^= 0x5a;
      const r = await drain(zstdDecompress(pieces(bad, 1000))).then(
        (out) => ({ ok: true as const, out }),
        (e: unknown) => ({ ok: false as const, e }),
      );
      // A flip may land in a literal and still decode (no checksum covers the
      // header); whatever comes out, it ends, and errors are ours.
      if (!r.ok) expect((r.e as LayerlintError).code).toBe("DECOMPRESS_FAILED");
    }
  });

  it("produces output only as fast as it is consumed", async () => {
    // 64 MiB of zeros compress to a few KiB: one input chunk, a lot of output.
    const bomb = zstdCli(Buffer.alloc(64 * 1024 * 1024), "-19");
    expect(bomb.length).toBeLessThan(64 * 1024);
    const it = zstdDecompress(pieces(bomb, bomb.length))[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.done).toBe(false);
    expect((first.value as Buffer).length).toBeLessThanOrEqual(128 * 1024);
    await it.return?.(undefined);
  });

  it("is what decompress() picks for zstd magic on Node without zlib zstd, and errors keep the zstd prefix", async () => {
    let kind: string | undefined;
    const out = await drain(decompress(pieces(frame, 65_536), (k) => (kind = k)));
    expect(kind).toBe("zstd");
    expect(sha(out)).toBe(sha(plain));
    await expect(drain(decompress(pieces(frame.subarray(0, 1000), 500)))).rejects.toThrow(/^zstd: /);
  });

  it("passes errors of the source through unchanged", async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield frame.subarray(0, 5000);
      throw new LayerlintError("DIGEST_MISMATCH", "layer sha256:ab12… digest mismatch");
    }
    await expect(drain(zstdDecompress(failing()))).rejects.toThrow(/^layer sha256:ab12… digest mismatch$/);
  });
});
