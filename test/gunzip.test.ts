// The gzip reader (member framing here, raw inflate in zlib) against streams
// written by GNU gzip and zlib, checked with `gzip -dc` and zlib's gunzip:
// every split of the input, members, header fields, padding, truncation,
// corruption, slow sources and output paced by the consumer.
import { describe, it, expect, vi } from "vitest";
import { execFileSync } from "node:child_process";
import zlib from "node:zlib";
import { drain, pieces, sample, sha } from "./helpers/bytes.js";
import { gunzip } from "../packages/core/src/gunzip.js";
import { CHUNK, decompress } from "../packages/core/src/compression.js";
import { LayerlintError } from "../packages/core/src/errors.js";

const gzipCli = (data: Buffer, ...args: string[]): Buffer =>
  execFileSync("gzip", ["-c", ...args], { input: data, maxBuffer: 1 << 30 });
const gunzipCli = (data: Buffer): Buffer => execFileSync("gzip", ["-dc"], { input: data, maxBuffer: 1 << 30 });

const decode = (data: Buffer, piece: number) => drain(gunzip(pieces(data, piece), CHUNK));

async function failure(p: Promise<unknown>): Promise<LayerlintError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(LayerlintError);
  return e as LayerlintError;
}

/** A zlib member rewritten with FEXTRA, FNAME, FCOMMENT and FHCRC (RFC 1952 §2.3). */
function withHeaderFields(member: Buffer): Buffer {
  const extra = Buffer.from("AB\x04\x00data", "latin1");
  const xlen = Buffer.alloc(2);
  xlen.writeUInt16LE(extra.length);
  const head = Buffer.concat([
    Buffer.from([0x1f, 0x8b, 8, 0x02 | 0x04 | 0x08 | 0x10]),
    member.subarray(4, 10),
    xlen,
    extra,
    Buffer.from("layer.tar\0a comment\0", "latin1"),
  ]);
  const hcrc = Buffer.alloc(2);
  hcrc.writeUInt16LE(zlib.crc32(head) & 0xffff);
  return Buffer.concat([head, hcrc, member.subarray(10)]);
}

describe("gunzip (gzip framing, raw inflate)", () => {
  const plain = sample(3 * 1024 * 1024 + 17, 7);
  const member = gzipCli(plain, "-6");

  it.each([4096, 65_536, 1024 * 1024, member.length])("decodes a gzip -6 stream fed in %i-byte pieces", async (size) => {
    const out = await decode(member, size);
    expect(out.length).toBe(plain.length);
    expect(sha(out)).toBe(sha(plain));
  });

  it.each([1, 7])("decodes a smaller stream fed in %i-byte pieces (a zlib round trip each)", async (size) => {
    const small = sample(60_000, 12);
    expect(sha(await decode(gzipCli(small), size))).toBe(sha(small));
  });

  it("decodes concatenated members, an empty one and one with a file name, as gzip -dc does", async () => {
    const second = sample(200_000, 9);
    const stream = Buffer.concat([member, gzipCli(Buffer.alloc(0)), zlib.gzipSync(second, { level: 1 }), gzipCli(second, "-N", "-9")]);
    const expected = gunzipCli(stream);
    expect(sha(expected)).toBe(sha(Buffer.concat([plain, second, second])));
    for (const size of [100_003, 65_536, 509]) expect(sha(await decode(stream, size))).toBe(sha(expected));
  });

  it("gives the same bytes for every split of a small multi-member stream", async () => {
    const a = sample(3000, 1);
    const b = sample(1000, 2);
    const stream = Buffer.concat([zlib.gzipSync(a), withHeaderFields(zlib.gzipSync(b))]);
    const expected = sha(Buffer.concat([a, b]));
    for (let cut = 1; cut < stream.length; cut++) {
      async function* two(): AsyncGenerator<Uint8Array> {
        yield stream.subarray(0, cut);
        yield stream.subarray(cut);
      }
      expect(sha(await drain(gunzip(two(), CHUNK)))).toBe(expected);
    }
  });

  it("reads past FEXTRA, FNAME, FCOMMENT and FHCRC, as gzip -dc does", async () => {
    const small = sample(50_000, 4);
    const fancy = withHeaderFields(zlib.gzipSync(small));
    expect(sha(gunzipCli(fancy))).toBe(sha(small));
    for (const size of [1, 3, 1000]) expect(sha(await decode(fancy, size))).toBe(sha(small));
  });

  it("decodes when every piece arrives late (member ends while the next read is under way)", async () => {
    const parts = [sample(70_000, 5), sample(10, 6), sample(300_000, 8)];
    const stream = Buffer.concat([...parts.map((p) => zlib.gzipSync(p)), Buffer.alloc(3)]);
    async function* slow(): AsyncGenerator<Uint8Array> {
      for (let off = 0; off < stream.length; off += 4093) {
        await new Promise((r) => setTimeout(r, 1));
        yield stream.subarray(off, off + 4093);
      }
    }
    expect(sha(await drain(gunzip(slow(), CHUNK)))).toBe(sha(Buffer.concat(parts)));
  });

  it("ignores NUL padding after the last member and what follows it, but reads the source to its end", async () => {
    const padded = Buffer.concat([member, Buffer.alloc(1000), Buffer.from("anything\n")]);
    expect(sha(zlib.gunzipSync(padded))).toBe(sha(plain));
    let finished = false;
    async function* tracked(): AsyncGenerator<Uint8Array> {
      yield* pieces(padded, 65_536);
      finished = true;
    }
    expect(sha(await drain(gunzip(tracked(), CHUNK)))).toBe(sha(plain));
    expect(finished).toBe(true);
  });

  it("refuses bytes after a member that do not start another one", async () => {
    const e = await failure(decode(Buffer.concat([member, Buffer.from("GARBAGE")]), 65_536));
    expect(e.code).toBe("DECOMPRESS_FAILED");
    expect(e.message).toBe("gzip: incorrect header check");
  });

  it.each([
    ["inside the fixed header", 5],
    ["after the magic only", 2],
    ["in the deflate data", Math.floor(member.length / 2)],
    ["in the trailer", member.length - 3],
    ["before the trailer", member.length - 8],
  ])("reports a stream cut %s as an unexpected end of file", async (_where, keep) => {
    const e = await failure(decode(member.subarray(0, keep), 65_536));
    expect(e.message).toBe("gzip: unexpected end of file");
  });

  it("reports a header cut inside its file name as an unexpected end of file", async () => {
    const fancy = withHeaderFields(zlib.gzipSync(sample(100, 3)));
    const e = await failure(decode(fancy.subarray(0, 20), 7));
    expect(e.message).toBe("gzip: unexpected end of file");
  });

  it("checks ISIZE", async () => {
    const bad = Buffer.from(member);
    bad[bad.length - 1]! ^= 0x01;
    expect(() => zlib.gunzipSync(bad)).toThrow(/incorrect length check/);
    expect((await failure(decode(bad, 65_536))).message).toBe("gzip: incorrect length check");
  });

  it("does not recompute the CRC-32: the diff_id check covers the same bytes", async () => {
    const bad = Buffer.from(member);
    bad[bad.length - 8]! ^= 0xff;
    expect(() => zlib.gunzipSync(bad)).toThrow(/incorrect data check/);
    expect(sha(await decode(bad, 65_536))).toBe(sha(plain));
  });

  it("refuses a method other than deflate and reserved flag bits", async () => {
    const method = Buffer.from(member);
    method[2] = 7;
    expect((await failure(decode(method, 65_536))).message).toBe("gzip: unknown compression method");
    const flags = Buffer.from(member);
    flags[3] = 0x20;
    expect((await failure(decode(flags, 65_536))).message).toBe("gzip: unknown header flags set");
  });

  it("ends with an error or some output, never a hang, on every single-byte corruption of a small member", async () => {
    const small = zlib.gzipSync(sample(20_000, 11));
    for (let i = 0; i < small.length; i += 3) {
      const bad = Buffer.from(small);
      bad[i]! ^= 0x5a;
      const r = await decode(bad, 1000).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (r !== undefined) {
        expect(r).toBeInstanceOf(LayerlintError);
        expect((r as LayerlintError).code).toBe("DECOMPRESS_FAILED");
        expect((r as Error).message).toMatch(/^gzip: /);
      }
    }
  });

  it("produces output only as fast as it is consumed, and stops the source when the reader leaves", async () => {
    // 64 MiB of zeros deflate to about 64 KiB: two input pieces, a lot of output.
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(128 * 1024);
    // Count what the inflater emits, whether or not it has been read.
    let emitted = 0;
    const create = zlib.createInflateRaw;
    const spy = vi.spyOn(zlib, "createInflateRaw").mockImplementation((opts) => {
      const inflater = create(opts);
      inflater.on("data", (c: Buffer) => (emitted += c.length));
      return inflater;
    });
    let stopped = false;
    async function* src(): AsyncGenerator<Uint8Array> {
      try {
        yield bomb.subarray(0, 100);
        yield bomb.subarray(100);
        await new Promise(() => {}); // never ends by itself
      } finally {
        stopped = true;
      }
    }
    try {
      const it = gunzip(src(), CHUNK)[Symbol.asyncIterator]();
      const first = await it.next();
      expect(first.done).toBe(false);
      expect((first.value as Uint8Array).length).toBeLessThanOrEqual(CHUNK);
      // Give zlib time to run ahead if it were going to: unpaced, it would
      // inflate all 64 MiB into buffers; paced, a few chunks at most.
      await new Promise((r) => setTimeout(r, 100));
      expect(emitted).toBeLessThanOrEqual(8 * CHUNK);
      await it.return(undefined);
    } finally {
      spy.mockRestore();
    }
    expect(stopped).toBe(true);
  });

  it("is what decompress() picks for gzip magic, and errors keep the gzip prefix", async () => {
    let kind: string | undefined;
    const out = await drain(decompress(pieces(member, 65_536), (k) => (kind = k)));
    expect(kind).toBe("gzip");
    expect(sha(out)).toBe(sha(plain));
    await expect(drain(decompress(pieces(member.subarray(0, 1000), 500)))).rejects.toThrow(/^gzip: unexpected end of file$/);
  });

  it("passes errors of the source through unchanged", async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield member.subarray(0, 5000);
      throw new LayerlintError("DIGEST_MISMATCH", "layer sha256:ab12… digest mismatch");
    }
    await expect(drain(gunzip(failing(), CHUNK))).rejects.toThrow(/^layer sha256:ab12… digest mismatch$/);
  });
});
