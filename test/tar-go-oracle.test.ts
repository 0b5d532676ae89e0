// Differential test against Go's archive/tar, the reader containerd, moby,
// podman and buildkit apply layers with: test/go-tar/main.go, built with the
// Debian toolchain (installed when missing), reads each stream; walkTar must
// read the same entries and fail where Go fails, or be stricter in one of the
// listed ways (test/go-tar/oracle.ts). Streams: a crafted case per rule
// (test/go-tar/cases.ts) and every fixture layer.
import { readdirSync, readFileSync } from "node:fs";
import zlib from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { decompress as zstdDecompress } from "fzstd";
import { craftedCases } from "./go-tar/cases.js";
import { disagreement, goRead, goTarBinary, oursRead, type Outcome } from "./go-tar/oracle.js";
import { fixturesOut } from "./helpers/cli.js";

function fixtureLayers(): { id: string; bytes: Buffer }[] {
  const out: { id: string; bytes: Buffer }[] = [];
  for (const layout of readdirSync(fixturesOut).filter((n) => n.endsWith(".oci"))) {
    const dir = `${fixturesOut}/${layout}/blobs/sha256`;
    for (const hex of readdirSync(dir)) {
      const raw = readFileSync(`${dir}/${hex}`);
      const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw) : raw[0] === 0x28 && raw[1] === 0xb5 ? Buffer.from(zstdDecompress(raw)) : raw;
      if (bytes.length >= 512 && bytes.subarray(257, 262).toString("latin1") === "ustar") out.push({ id: `${layout} ${hex.slice(0, 12)}`, bytes });
    }
  }
  return out;
}

const crafted = craftedCases();
const layers = fixtureLayers();
let go: Outcome[] = [];

beforeAll(async () => {
  go = await goRead(goTarBinary(), [...crafted, ...layers].map((c) => c.bytes));
}, 300_000);

describe("walkTar reads what Go's archive/tar reads", () => {
  it("has a crafted stream per rule and the fixture layers", () => {
    expect(crafted.length).toBeGreaterThan(90);
    expect(layers.length).toBeGreaterThan(20);
    expect(go.length).toBe(crafted.length + layers.length);
  });

  it.each(crafted.map((c, i) => [c.id, i] as const))("%s", async (_id, i) => {
    for (const chunk of [1 << 20, 511]) expect(disagreement(await oursRead(crafted[i]!.bytes, chunk), go[i]!)).toBeUndefined();
  });

  it("on every fixture layer, with the same entries and no error", async () => {
    for (const [i, l] of layers.entries()) {
      const g = go[crafted.length + i]!;
      expect([l.id, g.error]).toEqual([l.id, undefined]);
      expect([l.id, disagreement(await oursRead(l.bytes), g)]).toEqual([l.id, undefined]);
    }
  });
});
