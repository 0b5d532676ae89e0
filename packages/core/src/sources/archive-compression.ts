import { checkBlock } from "../tar/header-block.js";
import { decompress, sniffCompression, type DecoderMemory } from "../compression.js";
import { isLayerlintError, LayerlintError } from "../errors.js";
import { xzDecompress } from "./xz-stream.js";

export type ArchiveCompression = "gzip" | "zstd" | "xz" | "bzip2" | "none";

/** Bytes enough to sniff the outer compression, and to see a tar header. */
export const SNIFF_BYTES = 512;

/**
 * How a whole archive is compressed, by magic bytes, as `docker load` tells
 * (moby's DecompressStream and Detect:
 * https://github.com/moby/go-archive/blob/main/compression/compression.go,
 * https://github.com/moby/go-archive/blob/main/compression/compression_detect.go):
 * gzip 1f 8b, zstd 28 b5 2f fd (or a skippable frame), bzip2 "BZh",
 * xz fd 37 7a 58 5a 00. A first block that is a valid tar header is a plain
 * tar whatever its first bytes spell (a member named "BZh…").
 */
export function sniffArchive(head: Uint8Array): ArchiveCompression {
  if (head.length >= 512 && checkBlock(head, 0) === 1) return "none";
  const layerKind = sniffCompression(head);
  if (layerKind !== "none") return layerKind;
  if (head.length >= 3 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return "bzip2";
  if (head.length >= 6 && head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a && head[5] === 0x00) {
    return "xz";
  }
  return "none";
}

/** `xz -dc image.tar.xz | layerlint scan -`, or for standard input, where the bytes come from. */
function fix(name: string, tool: string): string {
  return name === "-" ? `decompress it before it reaches layerlint: … | ${tool} -dc | layerlint scan -` : `decompress it first: ${tool} -dc ${name} | layerlint scan -`;
}

/**
 * The archive's tar bytes. gzip and zstd are decoded as layers are
 * (compression.ts: zlib raw inflate, libzstd; a zstd frame reserves its
 * window in `memory`); xz by xz-embedded as WebAssembly (xz-stream.ts).
 * bzip2 is refused with the command that decompresses it: no bzip2
 * decoder for JavaScript is both maintained and fast enough (README,
 * "Dependencies"). Decoder failures become one line naming the input.
 *
 * The decoders' own checksums (gzip's CRC-32 is not recomputed) add
 * nothing here: every member that is used is verified against its digest,
 * and the outer tar's headers carry checksums.
 */
export async function* decompressArchive(
  chunks: AsyncIterable<Uint8Array>,
  kind: ArchiveCompression,
  name: string,
  memory: DecoderMemory | undefined,
): AsyncGenerator<Uint8Array> {
  if (kind === "none") {
    yield* chunks;
    return;
  }
  if (kind === "bzip2") {
    const what = name === "-" ? "-: standard input" : name;
    throw new LayerlintError("UNSUPPORTED_MEDIA_TYPE", `${what} is bzip2-compressed, which layerlint does not read; ${fix(name, "bzip2")}`);
  }
  try {
    if (kind === "xz") yield* xzDecompress(chunks);
    else yield* decompress(chunks, undefined, false, memory);
  } catch (e) {
    if (!isLayerlintError(e) || (e.code !== "DECOMPRESS_FAILED" && e.code !== "LIMIT_EXCEEDED")) throw e;
    // What the decoder cannot read (a zstd window over 128 MiB, an xz option) the command-line tool can.
    const unsupported = e.code === "LIMIT_EXCEEDED" || e.message.includes("unsupported");
    const tool = kind === "zstd" ? "zstd --long=31" : kind;
    throw new LayerlintError(e.code, `${name}: ${kind}-compressed archive: ${e.message.replace(/^(gzip|zstd|xz): /, "")}${unsupported ? `; ${fix(name, tool)}` : ""}`, {
      cause: e,
    });
  }
}
