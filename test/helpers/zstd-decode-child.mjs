// decompress() over each file named in argv, in this process's Node: which
// zstd decoder it picked, and per file the output's sha256 or the error.
// Lets one test run compare Node's built-in zstd decoder (a pinned Node 24,
// scripts/node-bin.mjs) with the WebAssembly one, whatever Node runs the suite.
// argv: [--wasm] FILE...; --wasm hides zlib's zstd before core loads, so core
// takes the path it takes on Node 20.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import zlib from "node:zlib";

const args = process.argv.slice(2);
if (args[0] === "--wasm") {
  args.shift();
  delete zlib.createZstdDecompress;
}
const { decompress, zstdImplementation } = await import("../../packages/core/dist/compression.js");

async function* pieces(buf, size) {
  for (let off = 0; off < buf.length; off += size) yield buf.subarray(off, off + size);
}

const results = {};
for (const file of args) {
  const hash = createHash("sha256");
  try {
    for await (const chunk of decompress(pieces(readFileSync(file), 65_536))) hash.update(chunk);
    results[file] = { sha: hash.digest("hex") };
  } catch (e) {
    results[file] = { error: `${e.code}: ${e.message}` };
  }
}
process.stdout.write(JSON.stringify({ node: process.version, zstd: zstdImplementation, results }));
