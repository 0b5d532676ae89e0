// Property: the tar walk (walkTar + LayerBuilder + mergeLayers), the sniffing
// decompressor in front of it, and the outer-tar indexer never crash or hang
// on randomly mutated real archives: they finish, or throw a LayerlintError.
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { gunzipSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LayerlintError } from "../../packages/core/src/errors.js";
import { decompress } from "../../packages/core/src/compression.js";
import { walkLayer } from "../../packages/core/src/walk-layer.js";
import { mergeLayers } from "../../packages/core/src/merge-layers.js";
import { indexTarFile } from "../../packages/core/src/tar/index.js";
import { fixturesOut } from "../helpers/cli.js";
import { zstdRawFrame } from "../../fixtures/lib/zstd-raw.js";
import { header, metaEntry, paxPath, paxRecord, rawFile, rawTar } from "../hostile/build.js";
import { params, timeout } from "./runs.js";

/** Per-run wall-clock bound: a hang or a super-linear blow-up fails the property. */
const RUN_BUDGET_MS = 2_000;

let tars: Buffer[] = [];
let outer: Buffer[] = [];
let work: string;

/** Uncompressed layer tars of the generated fixtures, plus hand-made tricky ones. */
async function fixtureLayers(): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const img of ["layers.oci", "demo.oci", "devices.oci", "distroless.oci"]) {
    const dir = `${fixturesOut}/${img}/blobs/sha256`;
    for (const name of await readdir(dir)) {
      const b = await readFile(`${dir}/${name}`);
      if (b[0] === 0x1f && b[1] === 0x8b) out.push(gunzipSync(b));
    }
  }
  const sparse = header({ name: "sp", size: 5, typeflag: "S" }, (b) => {
    b.write("ustar  \0", 257, "latin1");
    b.fill(0, 345, 500);
    b[482] = 1;
  });
  out.push(
    rawTar(
      paxPath(`${"p/".repeat(40)}pax.txt`),
      rawFile("x", "pax"),
      metaEntry("L", Buffer.from(`${"l".repeat(300)}\0`)),
      rawFile("y", "long"),
      metaEntry("K", Buffer.from(`${"k".repeat(200)}\0`)),
      header({ name: "hl", typeflag: "1" }),
      metaEntry("g", paxRecord("uid", Buffer.from("3000000")), "pax_global_header"),
      metaEntry("x", paxRecord("SCHILY.xattr.security.capability", Buffer.from([1, 0, 0, 2, 0xc0, 0, 0, 0])), "PaxHeaders/c"),
      rawFile("cap", "c"),
      sparse,
      Buffer.alloc(512),
      Buffer.alloc(512, 0x68),
      rawFile(".wh..wh..opq"),
      rawFile("d/.wh.gone"),
      rawFile("../up", "u"),
    ),
  );
  return out;
}

interface Mutation {
  edits: Array<[pos: number, byte: number]>;
  /** Keep this fraction of the bytes (1 = all). */
  keep: number;
  /** Chunk sizes the stream is cut into, cycled. */
  chunks: number[];
}

const mutation = fc.record({
  edits: fc.array(fc.tuple(fc.nat(), fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 0x30, 0x37, 0x80, 0xff, 0x20, 0x78, 0x4c, 0x53))), { minLength: 1, maxLength: 8 }),
  keep: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
  chunks: fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 4 }),
});

function mutate(src: Buffer, m: Mutation): Buffer {
  const out = Buffer.from(src.subarray(0, Math.floor(src.length * m.keep)));
  if (out.length === 0) return out;
  for (const [pos, byte] of m.edits) {
    // Header fields live in the first 512 bytes of each block: aim there half the time.
    const p = pos % 2 === 0 ? (pos * 512 + (pos % 500)) % out.length : pos % out.length;
    out[p] = byte;
  }
  return out;
}

async function* chunked(b: Buffer, sizes: number[]): AsyncGenerator<Uint8Array> {
  let i = 0;
  for (let at = 0; at < b.length; i++) {
    const n = sizes[i % sizes.length]!;
    yield b.subarray(at, at + n);
    at += n;
  }
}

/** Resolves when `p` finishes; a non-LayerlintError fails the property. */
async function onlyLayerlintErrors(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof LayerlintError)) throw new Error(`not a LayerlintError: ${String(e)}`, { cause: e });
    expect(e.message).not.toContain("\n");
  }
}

async function timed(f: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  await f();
  const took = performance.now() - t0;
  if (took > RUN_BUDGET_MS) throw new Error(`run took ${took.toFixed(0)} ms`);
}

beforeAll(async () => {
  tars = await fixtureLayers();
  outer = [await readFile(`${fixturesOut}/layers.oci.tar`), await readFile(`${fixturesOut}/layers.docker.tar`)];
  work = await mkdtemp(`${tmpdir()}/layerlint-prop-`);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("tar walk on mutated archives (property)", () => {
  it(
    "walks and merges mutated layer tars without crashing or hanging",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat(), mutation, async (which, m) => {
          const tar = mutate(tars[which % tars.length]!, m);
          await timed(() =>
            onlyLayerlintErrors(
              (async () => {
                const walked = await walkLayer(chunked(tar, m.chunks), 0, () => 64);
                mergeLayers([walked, { ...walked, index: 1 }]);
              })(),
            ),
          );
        }),
        params(2000),
      );
    },
    timeout(60_000),
  );

  it(
    "decompresses and walks mutated gzip and zstd layers without crashing or hanging",
    async () => {
      const gz = () => tars.map((t) => gzipSync(t));
      const encoded = [...gz(), ...tars.map((t) => zstdRawFrame(t))];
      await fc.assert(
        fc.asyncProperty(fc.nat(), mutation, async (which, m) => {
          const blob = mutate(encoded[which % encoded.length]!, m);
          await timed(() => onlyLayerlintErrors(walkLayer(decompress(chunked(blob, m.chunks)), 0)));
        }),
        params(1500),
      );
    },
    timeout(60_000),
  );

  it(
    "indexes mutated outer tars (oci-archive, docker save) without crashing or hanging",
    async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.nat(), mutation, async (which, m) => {
          const file = `${work}/outer-${n++ % 4}.tar`;
          await writeFile(file, mutate(outer[which % outer.length]!, m));
          await timed(() => onlyLayerlintErrors(indexTarFile(file)));
        }),
        params(1000),
      );
    },
    timeout(60_000),
  );
});
