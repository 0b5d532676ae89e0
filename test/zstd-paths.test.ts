// Both zstd paths of decompress(), in one run on any Node: Node's built-in
// decoder (zlib.createZstdDecompress, Node >= 22.15) in a pinned Node 24, and
// libzstd as WebAssembly (the Node 20 path) with zlib's zstd hidden. On the
// same stored bytes both must give the same output, or the same one-line
// error. Frames are written by the real zstd CLI.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDebianPackages } from "./helpers/debian.js";
import { sample, sha } from "./helpers/bytes.js";
import { repoRoot } from "./helpers/cli.js";
import { skippableFrame, zstdCli } from "./helpers/zstd-frames.js";
// @ts-expect-error: a plain .mjs script, without declarations
import { nodeBinary } from "../scripts/node-bin.mjs";

type Outcome = { sha: string } | { error: string };
type ChildResult = { node: string; zstd: "node" | "wasm"; results: Record<string, Outcome> };

const child = join(repoRoot, "test/helpers/zstd-decode-child.mjs");

function decodeIn(node: string, files: string[], wasm: boolean): ChildResult {
  const out = execFileSync(node, [child, ...(wasm ? ["--wasm"] : []), ...files], { encoding: "utf8", maxBuffer: 1 << 24 });
  return JSON.parse(out) as ChildResult;
}

describe("decompress(): Node's built-in zstd and the WebAssembly decoder agree", () => {
  let dir: string;
  const files: Record<string, string> = {};
  const plain = sample(1024 * 1024 + 5, 21);
  const second = sample(150_000, 22);
  let builtin: ChildResult;
  let wasm: ChildResult;

  beforeAll(async () => {
    ensureDebianPackages({ zstd: "zstd" });
    dir = mkdtempSync(join(tmpdir(), "layerlint-zstd-paths-"));
    const frame = zstdCli(plain, "-3", "--check");
    const unchecked = zstdCli(sample(30_000, 23), "-3", "--no-check");
    const cases: Record<string, Buffer> = {
      frames: Buffer.concat([skippableFrame(Buffer.from("meta")), frame, zstdCli(Buffer.alloc(0)), zstdCli(second, "-19")]),
      "long-window": zstdCli(Buffer.concat([plain, plain, plain]), "--long=27", "-1"),
      "window-over-ceiling": zstdCli(sample(100_000, 3), "--long=31", "-1"),
      "cut-1": frame.subarray(0, frame.length - 1),
      "cut-half": frame.subarray(0, frame.length >> 1),
      "cut-in-header": frame.subarray(0, 6),
      checksum: Buffer.from(frame).fill(frame[frame.length - 1]! ^ 0xff, frame.length - 1),
      "trailing-garbage": Buffer.concat([frame, Buffer.from("garbage!")]),
    };
    // Single-byte corruptions of a frame without a checksum: whatever each
    // decoder makes of a flip (an error, or other bytes), both make the same.
    for (let i = 4; i < unchecked.length; i += Math.ceil(unchecked.length / 40)) {
      const bad = Buffer.from(unchecked);
      bad[i]! ^= 0x5a;
      cases[`flip-${i}`] = bad;
    }
    for (const [name, bytes] of Object.entries(cases)) {
      files[name] = join(dir, `${name}.zst`);
      writeFileSync(files[name]!, bytes);
    }
    const node24: string = await nodeBinary(24);
    builtin = decodeIn(node24, Object.values(files), false);
    wasm = decodeIn(process.execPath, Object.values(files), true);
  }, 300_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const outcome = (r: ChildResult, name: string): Outcome => r.results[files[name]!]!;

  it("runs each path where it is meant to run", () => {
    expect(builtin.node).toMatch(/^v24\./);
    expect(builtin.zstd).toBe("node");
    expect(wasm.zstd).toBe("wasm");
  });

  it("decodes concatenated, skippable and empty frames and a 128 MiB window to the same bytes", () => {
    for (const r of [builtin, wasm]) {
      expect(outcome(r, "frames")).toEqual({ sha: sha(Buffer.concat([plain, second])) });
      expect(outcome(r, "long-window")).toEqual({ sha: sha(Buffer.concat([plain, plain, plain])) });
    }
  });

  it("refuses a window over the ceiling, a cut frame, a bad checksum and trailing bytes with the same line", () => {
    const expected: Record<string, string> = {
      "window-over-ceiling": "LIMIT_EXCEEDED: ",
      "cut-1": "DECOMPRESS_FAILED: zstd: unexpected end of data (truncated frame)",
      "cut-half": "DECOMPRESS_FAILED: zstd: unexpected end of data (truncated frame)",
      "cut-in-header": "DECOMPRESS_FAILED: zstd: unexpected end of data (truncated frame)",
      checksum: "DECOMPRESS_FAILED: zstd: checksum mismatch",
      "trailing-garbage": "DECOMPRESS_FAILED: zstd: unknown frame descriptor",
    };
    for (const [name, line] of Object.entries(expected)) {
      const b = outcome(builtin, name);
      expect(b, name).toEqual(outcome(wasm, name));
      expect("error" in b && b.error.startsWith(line), `${name}: ${JSON.stringify(b)}`).toBe(true);
    }
  });

  it("makes the same of every single-byte corruption", () => {
    const flips = Object.keys(files).filter((n) => n.startsWith("flip-"));
    expect(flips.length).toBeGreaterThan(30);
    for (const name of flips) expect(outcome(builtin, name), name).toEqual(outcome(wasm, name));
    // Some flips must reach the decoders' own checks, not only the frame scan.
    expect(flips.some((n) => "error" in outcome(builtin, n) && /corrupted block/.test((outcome(builtin, n) as { error: string }).error))).toBe(true);
  });
});
