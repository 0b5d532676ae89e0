// The zstd frame-header scanner that sizes decoder memory before decoding:
// against frames the real zstd CLI writes (its own `zstd -lv` says which
// window each declares), fed in every piece size, and against hand-written
// frames at and over the window ceiling.
import { describe, it, expect, beforeAll } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { ensureDebianPackages } from "./helpers/debian.js";
import { drain, pieces, sample } from "./helpers/bytes.js";
import { zstdFrame } from "./helpers/zstd-frame.js";
import { frameDecoderBytes, MAX_WINDOW_BYTES, ZstdFrames } from "../packages/core/src/zstd-frames.js";
import { decompress } from "../packages/core/src/compression.js";
import { LayerlintError } from "../packages/core/src/errors.js";

/** From a pipe: the CLI cannot know the size, so the frame declares a window and no Frame_Content_Size. */
const zstdCli = (data: Buffer, ...args: string[]): Buffer => execFileSync("zstd", ["-q", "-c", ...args], { input: data, maxBuffer: 1 << 30 });

/** From a file: the frame declares its content size, and a window no larger than needed. */
function zstdFile(data: Buffer, ...args: string[]): Buffer {
  const dir = mkdtempSync(`${tmpdir()}/layerlint-zstd-in-`);
  try {
    writeFileSync(`${dir}/in`, data);
    return execFileSync("zstd", ["-q", "-c", ...args, `${dir}/in`], { maxBuffer: 1 << 30 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Window and content size of a one-frame file, as `zstd -lv` reports them. */
function listed(frame: Buffer): { window: number; content: number | undefined } {
  const dir = mkdtempSync(`${tmpdir()}/layerlint-zstd-list-`);
  try {
    writeFileSync(`${dir}/f.zst`, frame);
    const out = execFileSync("zstd", ["-lv", `${dir}/f.zst`], { encoding: "utf8" });
    const window = Number(/Window Size: .*\((\d+) B\)/.exec(out)![1]);
    const content = /Decompressed Size: .*\((\d+) B\)/.exec(out)?.[1];
    return { window, content: content === undefined ? undefined : Number(content) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function scanAll(stream: Buffer, piece: number): number {
  const frames = new ZstdFrames();
  let need = 0;
  for (let off = 0; off < stream.length; off += piece) need = frames.scan(stream.subarray(off, off + piece));
  return need;
}

function skippable(payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(0x184d2a5e, 0);
  head.writeUInt32LE(payload.length, 4);
  return Buffer.concat([head, payload]);
}

async function failure(p: Promise<unknown>): Promise<LayerlintError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(LayerlintError);
  return e as LayerlintError;
}

describe("ZstdFrames", () => {
  const plain = sample(1024 * 1024 + 5, 3);
  beforeAll(() => ensureDebianPackages({ zstd: "zstd" }));

  it.each([
    ["-1", []],
    ["-3", []],
    ["-19", ["--check"]],
    ["--long=27", ["-1"]],
    ["--ultra", ["-22"]],
  ])("finds the window and size zstd -lv reports for zstd %s %s, from a pipe and from a file, in every piece size", (level, more) => {
    for (const [from, frame] of [
      ["pipe", zstdCli(plain, level, ...(more as string[]))],
      ["file", zstdFile(plain, level, ...(more as string[]))],
    ] as const) {
      const { window, content } = listed(frame);
      expect(content, from).toBe(from === "pipe" ? undefined : plain.length);
      const want = frameDecoderBytes(window, content);
      for (const piece of [1, 3, 7, 512, 65_536, frame.length]) expect(scanAll(frame, piece), `${from}, ${piece}-byte pieces`).toBe(want);
    }
  });

  it("sizes a small frame by its content, a large one without a size by its window plus a block", () => {
    const small = zstdFile(sample(1000, 4), "-19");
    expect(scanAll(small, 100)).toBe(frameDecoderBytes(listed(small).window, 1000));
    expect(scanAll(small, 100)).toBeLessThan(4096);
    expect(frameDecoderBytes(8 << 20, undefined)).toBe((8 << 20) + 2 * 128 * 1024 + 64);
  });

  it("follows frame boundaries through skippable, empty and several frames, and keeps the largest need", () => {
    const small = zstdFile(sample(1000, 9), "-3");
    const big = zstdCli(plain, "-19");
    const stream = Buffer.concat([skippable(Buffer.from("meta")), small, zstdFile(Buffer.alloc(0)), big, skippable(Buffer.alloc(0)), small]);
    const want = Math.max(frameDecoderBytes(listed(small).window, 1000), frameDecoderBytes(listed(big).window, undefined));
    expect(want).toBeGreaterThan(8 << 20);
    for (const piece of [1, 13, 4096]) expect(scanAll(stream, piece)).toBe(want);
    // Boundaries found exactly: bytes right after the last frame are read as a new frame's magic.
    expect(() => scanAll(Buffer.concat([stream, Buffer.from("junk")]), 4096)).toThrow(/^zstd: unknown frame descriptor$/);
  });

  it("accepts the ceiling (a 128 MiB window) and refuses anything over it with LIMIT_EXCEEDED", () => {
    expect(scanAll(zstdFrame([Buffer.from("x")], 27), 1)).toBe(frameDecoderBytes(MAX_WINDOW_BYTES, undefined));
    let err: unknown;
    try {
      scanAll(zstdFrame([Buffer.from("x")], 28), 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LayerlintError);
    expect((err as LayerlintError).code).toBe("LIMIT_EXCEEDED");
    expect((err as Error).message).toBe("zstd: a frame declares a 256 MiB window, over the 128 MiB this decoder accepts");
  });

  it("refuses what libzstd refuses: a reserved descriptor bit, a reserved block type", () => {
    const frame = zstdFrame([Buffer.from("abc")], 20);
    const reservedBit = Buffer.from(frame);
    reservedBit[4]! |= 0x08;
    expect(() => scanAll(reservedBit, 64)).toThrow(/^zstd: unsupported frame parameter$/);
    const reservedType = Buffer.from(frame);
    reservedType[6]! |= 0x06; // first block header: Block_Type 3
    expect(() => scanAll(reservedType, 64)).toThrow(/^zstd: corrupted block$/);
  });

  it("decompress() refuses a --long=31 frame from its header, before the decoder allocates", async () => {
    const frame = zstdCli(sample(100_000, 3), "--long=31", "-1");
    const err = await failure(drain(decompress(pieces(frame, 65_536))));
    expect(err.code).toBe("LIMIT_EXCEEDED");
    expect(err.message).toMatch(/^zstd: a frame declares a \d+(\.\d)? MiB window, over the 128 MiB this decoder accepts$/);
  });
});

describe("decompress() reserves decoder memory before the decoder sees a frame", () => {
  it("asks for the frame's need (plus the decoder's fixed cost) and produces nothing until granted", async () => {
    const frame = zstdFrame([Buffer.alloc(300 * 1024, 0x61)], 24); // a 16 MiB window, no content size
    const asked: number[] = [];
    let grant: () => void = () => {};
    const memory = {
      reserve(total: number) {
        asked.push(total);
        return new Promise<void>((r) => (grant = r));
      },
    };
    const it = decompress(pieces(frame, 1000), undefined, false, memory)[Symbol.asyncIterator]();
    const first = it.next();
    let settled = false;
    void first.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toBeGreaterThan(16 * 1024 * 1024);
    expect(asked[0]).toBeLessThan(16 * 1024 * 1024 + 2 * 1024 * 1024);
    grant();
    const r = await first;
    expect(r.done).toBe(false);
    let total = (r.value as Uint8Array).length;
    for (let n = await it.next(); !n.done; n = await it.next()) total += n.value.length;
    expect(total).toBe(300 * 1024);
    expect(asked).toHaveLength(1);
  });
});
