// GNU sparse entries as Go's archive/tar reads them (handleSparseFile and
// readGNUSparsePAXHeaders in https://github.com/golang/go/blob/master/src/archive/tar/reader.go).
import { describe, expect, it } from "vitest";
import { END_OF_ARCHIVE as END, padBlock, paxRecords, rawBlock, rawEntry, type Bytes, type RawBlock } from "../../../../fixtures/lib/ustar-raw.js";
import type { TarHeader } from "./tar-header.js";
import { walkTar } from "./walk-tar.js";

const x = (...r: [Bytes, Bytes][]): Buffer => rawEntry({ name: "PaxHeaders/x", typeflag: "x" }, paxRecords(...r));
const file = (name: Bytes, data: Bytes = "data", h: RawBlock = {}): Buffer => rawEntry({ name, ...h }, data);
const v10: [Bytes, Bytes][] = [["GNU.sparse.major", "1"], ["GNU.sparse.minor", "0"]];

function map1x0(pairs: [number, number][]): Buffer {
  return padBlock(Buffer.from(`${pairs.length}\n${pairs.map(([o, l]) => `${o}\n${l}\n`).join("")}`));
}

/** An old-GNU 'S' header: entries at 386, isextended at 482, realsize at 483. */
function oldSparse(stored: number, real: number, pairs: [number, number][], h: Partial<RawBlock> = {}, extended = false): Buffer {
  return rawBlock({
    name: "os", typeflag: "S", size: stored, format: "gnu", ...h,
    patch: (b) => {
      pairs.forEach(([o, l], i) => b.write(`${o.toString(8).padStart(11, "0")}\0${l.toString(8).padStart(11, "0")}\0`, 386 + i * 24, "latin1"));
      b[482] = extended ? 1 : 0;
      b.write(`${real.toString(8).padStart(11, "0")}\0`, 483, "latin1");
    },
  });
}

interface Walked { headers: TarHeader[]; contents: string[] }

async function walk(...parts: Buffer[]): Promise<Walked> {
  const headers: TarHeader[] = [];
  const contents: string[] = [];
  const stream = Buffer.concat(parts);
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < stream.length; i += 333) yield stream.subarray(i, i + 333);
  }
  await walkTar(chunks(), {
    entry(h) { headers.push(h); return 1 << 20; },
    content(h) { contents.push(h.name); },
  });
  return { headers, contents };
}

async function errorOf(...parts: Buffer[]): Promise<{ code: string; message: string; seen: string[] }> {
  const seen: string[] = [];
  try {
    const stream = Buffer.concat(parts);
    await walkTar((async function* () { yield stream; })(), { entry(h) { seen.push(h.name); return 0; } });
  } catch (e) {
    return { ...(e as { code: string; message: string }), code: (e as { code: string }).code, message: (e as Error).message, seen };
  }
  throw new Error("expected walkTar to throw");
}

const rows = (w: Walked): unknown[][] => w.headers.map((h) => [h.type, h.name, h.size, h.sparse]);

describe("when an entry is sparse", () => {
  it("ignores GNU.sparse.name and sizes without version records or a map", async () => {
    const w = await walk(x(["GNU.sparse.name", "renamed"], ["GNU.sparse.realsize", "99"]), file("a", "abc"), END);
    expect(rows(w)).toEqual([["file", "a", 3, false]]);
    expect(w.contents).toEqual(["a"]);
  });
  it("ignores an unknown version", async () => {
    expect(rows(await walk(x(["GNU.sparse.major", "2"], ["GNU.sparse.minor", "0"], ["GNU.sparse.name", "renamed"]), file("a", "abc"), END))).toEqual([["file", "a", 3, false]]);
  });
  it("reads 1.0: name and realsize from PAX, the map from the first data blocks; content never handed over", async () => {
    const w = await walk(x(...v10, ["GNU.sparse.name", "real/name"], ["GNU.sparse.realsize", "10000"]),
      file("GNUSparseFile.0/name", Buffer.concat([map1x0([[0, 5], [9000, 3]]), Buffer.from("abcdefgh")])), file("after"), END);
    expect(rows(w)).toEqual([["file", "real/name", 10000, true], ["file", "after", 4, false]]);
    expect(w.contents).toEqual(["after"]);
  });
  it("reads 0.1 (map in GNU.sparse.map) and 0.0 (offset/numbytes records); GNU.sparse.size wins over realsize", async () => {
    expect(rows(await walk(x(["GNU.sparse.major", "0"], ["GNU.sparse.minor", "1"], ["GNU.sparse.size", "50"], ["GNU.sparse.realsize", "7"], ["GNU.sparse.numblocks", "2"], ["GNU.sparse.map", "0,2,40,3"]), file("s", "abcde"), END)))
      .toEqual([["file", "s", 50, true]]);
    expect(rows(await walk(x(["GNU.sparse.size", "20"], ["GNU.sparse.numblocks", "1"], ["GNU.sparse.offset", "10"], ["GNU.sparse.numbytes", "4"], ["GNU.sparse.name", "zz"]), file("s", "wxyz"), END)))
      .toEqual([["file", "zz", 20, true]]);
  });
  it("reads old GNU 'S' headers with extension blocks; the size is the real size at offset 483", async () => {
    const ext = Buffer.alloc(512);
    ext.write("00000001000\x0000000000003\x00", 0, "latin1");
    const w = await walk(oldSparse(7, 70000, [[0, 1], [100, 1], [200, 1], [300, 1]], {}, true), ext, padBlock(Buffer.from("abcdefg")), file("after"), END);
    expect(rows(w)).toEqual([["gnu-sparse", "os", 70000, true], ["file", "after", 4, false]]);
    expect(w.contents).toEqual(["after"]);
  });
});

describe("sparse errors, as Go's", () => {
  it.each([
    ["'S' in a ustar header", [oldSparse(2, 10, [[0, 2]], { format: "ustar" }), padBlock(Buffer.from("ab")), END], "typeflag 'S' in a header that is not GNU format", []],
    ["a fragment past the real size", [oldSparse(2, 10, [[9, 2]]), padBlock(Buffer.from("ab")), END], "its sparse map has negative, overlapping or out-of-range fragments", []],
    ["overlapping fragments", [x(["GNU.sparse.size", "20"], ["GNU.sparse.numblocks", "2"], ["GNU.sparse.map", "0,5,3,2"]), file("s", "abcdefg"), END], "its sparse map has negative, overlapping or out-of-range fragments", []],
    ["a count that does not match the map", [x(["GNU.sparse.major", "0"], ["GNU.sparse.minor", "1"], ["GNU.sparse.numblocks", "2"], ["GNU.sparse.map", "0,2"]), file("s", "ab"), END], "GNU.sparse.map does not hold GNU.sparse.numblocks pairs", []],
    ["a sparse symlink", [x(...v10, ["GNU.sparse.realsize", "5"]), rawBlock({ name: "s", typeflag: "2", linkname: "t" }), END], "a sparse map on a type that has no data", []],
    ["a 1.0 map longer than the data", [x(...v10, ["GNU.sparse.realsize", "100"]), file("s", "1\n0\n"), END], "its PAX 1.0 sparse map runs past its data", []],
    ["a 1.0 map with a bad number", [x(...v10, ["GNU.sparse.realsize", "100"]), file("s", map1x0([[0, 5]]).fill(0x41, 2, 3)), END], "its PAX 1.0 sparse map holds a value that is not a decimal integer", []],
    ["stored bytes the map does not refer to", [x(...v10, ["GNU.sparse.realsize", "100"]), file("s", Buffer.concat([map1x0([[0, 2]]), Buffer.from("abc")])), END], "its map refers to 2 stored bytes but 3 are stored", ["s"]],
    ["stored bytes missing", [oldSparse(1, 10, [[0, 2]]), padBlock(Buffer.from("a")), END], "its map refers to 2 stored bytes but 1 are stored", ["os"]],
  ])("%s", async (_, parts, message, seen) => {
    const e = await errorOf(...(parts as Buffer[]));
    expect([e.code, e.message.replace(/^tar GNU sparse entry at offset \d+: /, ""), e.seen]).toEqual(["TAR_INVALID", message, seen]);
  });
});
