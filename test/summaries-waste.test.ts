// Wasted bytes, explained: an image that writes apt's caches in one layer
// and deletes them in the next, and overwrites a file, scanned through the
// built CLI. The report names the directories and files, their sizes and the
// layers that added and removed them; the sum reconciles with sizes.wasted.
import { readFile, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archiveOf } from "../fixtures/lib/archive.js";
import { dockerLegacyArchive } from "../fixtures/lib/docker-archive.js";
import { filler } from "../fixtures/lib/fake-bin.js";
import { packImage, type ImageSpec } from "../fixtures/lib/images.js";
import { dir, file, whiteout } from "../fixtures/lib/tar-pack.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/gate.js";

interface WastedPath {
  path: string;
  kind: string;
  bytes: number;
  files: number;
  addedIn: number;
  removedIn: number;
  how: string;
}
interface JsonReport {
  image: { sizes: { wasted: number }; waste?: { top: WastedPath[]; rest: { bytes: number; files: number } } };
}

const amd64 = { architecture: "amd64", os: "linux" };
const APT_FILES: [string, number][] = [
  ["var/cache/apt/archives/curl_7.88.1_amd64.deb", 40_000],
  ["var/cache/apt/archives/libcurl4_7.88.1_amd64.deb", 60_000],
  ["var/cache/apt/pkgcache.bin", 30_000],
  ["var/cache/apt/srcpkgcache.bin", 31_000],
  ["var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages", 50_000],
  ["var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease", 20_000],
];

function aptSpec(): ImageSpec {
  return {
    platform: amd64,
    config: { User: "1000" },
    steps: [
      { createdBy: "ADD rootfs.tar /", layer: [dir("etc"), file("etc/os-release", "ID=debian\nVERSION_ID=12\n"), dir("var"), dir("var/cache"), dir("var/lib")] },
      {
        createdBy: "RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit",
        layer: [
          dir("var/cache/apt"),
          dir("var/cache/apt/archives"),
          dir("var/lib/apt"),
          dir("var/lib/apt/lists"),
          ...APT_FILES.map(([p, n]) => file(p, filler(p, n))),
          dir("usr"),
          dir("usr/bin"),
          file("usr/bin/true", "#!/bin/true\n"),
        ],
      },
      {
        createdBy: "RUN /bin/sh -c rm -rf /var/cache/apt /var/lib/apt/lists # buildkit",
        layer: [whiteout("var/cache/apt"), whiteout("var/lib/apt/lists")],
      },
      { createdBy: "COPY big.bin /app/big.bin # buildkit", layer: [dir("app"), file("app/big.bin", filler("old", 25_000))] },
      { createdBy: "COPY big.bin /app/big.bin # buildkit", layer: [dir("app"), file("app/big.bin", filler("new", 25_000))] },
    ],
  };
}

/** Fifteen top-level directories, one file each, all deleted later: more than the report lists. */
function manySpec(): ImageSpec {
  const names = Array.from({ length: 15 }, (_, i) => `d${String(i).padStart(2, "0")}`);
  return {
    platform: amd64,
    config: { User: "1000" },
    steps: [
      { createdBy: "COPY . /", layer: names.flatMap((d, i) => [dir(d), file(`${d}/blob.bin`, filler(d, 1000 * (i + 1)))]) },
      { createdBy: "RUN rm -rf /d*", layer: names.map((d) => whiteout(d)) },
    ],
  };
}

let work: { dir: string; cleanup: () => Promise<void> };
let apt: string;
let many: string;

beforeAll(async () => {
  work = await tempDir("layerlint-waste-");
  apt = `${work.dir}/apt.docker.tar`;
  many = `${work.dir}/many.docker.tar`;
  await writeFile(apt, await archiveOf(dockerLegacyArchive(await packImage(aptSpec()), "apt:1")));
  await writeFile(many, await archiveOf(dockerLegacyArchive(await packImage(manySpec()), "many:1")));
});
afterAll(() => work.cleanup());

const aptCache = 40_000 + 60_000 + 30_000 + 31_000;
const aptLists = 50_000 + 20_000;

describe("wasted bytes, explained", () => {
  it("JSON: apt's caches as two directories with their layers, the overwritten file, and a sum equal to sizes.wasted", async () => {
    const r = await runCli(["scan", "-f", "json", apt]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.image.sizes.wasted).toBe(aptCache + aptLists + 25_000);
    expect(report.image.waste).toEqual({
      top: [
        { path: "/var/cache/apt", kind: "dir", bytes: aptCache, files: 4, addedIn: 1, removedIn: 2, how: "whiteout" },
        { path: "/var/lib/apt/lists", kind: "dir", bytes: aptLists, files: 2, addedIn: 1, removedIn: 2, how: "whiteout" },
        { path: "/app/big.bin", kind: "file", bytes: 25_000, files: 1, addedIn: 3, removedIn: 4, how: "overwrite" },
      ],
      rest: { bytes: 0, files: 0 },
    });
  });

  it("text: a wasted-space section names each path, its size and both layers", async () => {
    const r = await runCli(["scan", apt]);
    expect(r.code).toBe(0);
    const section = r.stdout.slice(r.stdout.indexOf("wasted space"));
    const lines = section.split("\n").slice(0, 4);
    expect(lines).toEqual([
      "wasted space (256 kB)",
      "  161 kB  /var/cache/apt (4 files): added in layer 1, deleted in layer 2",
      "   70 kB  /var/lib/apt/lists (2 files): added in layer 1, deleted in layer 2",
      "   25 kB  /app/big.bin: added in layer 3, overwritten in layer 4",
    ]);
  });

  it("markdown: the same paths in a table", async () => {
    const out = `${work.dir}/apt.md`;
    const r = await runCli(["scan", "--report", `markdown=${out}`, apt]);
    expect(r.code).toBe(0);
    const md = await readFile(out, "utf8");
    expect(md).toContain("### Wasted space (256 kB)");
    expect(md).toContain("| 161 kB | `/var/cache/apt` (4 files) | layer 1 | deleted in layer 2 |");
    expect(md).toContain("| 70 kB | `/var/lib/apt/lists` (2 files) | layer 1 | deleted in layer 2 |");
    expect(md).toContain("| 25 kB | `/app/big.bin` | layer 3 | overwritten in layer 4 |");
  });

  it("past the top ten, the rest is one line whose bytes complete sizes.wasted", async () => {
    const r = await runCli(["scan", "-f", "json", many]);
    const report = JSON.parse(r.stdout) as JsonReport;
    const waste = report.image.waste!;
    expect(waste.top.map((w) => w.path)).toEqual(Array.from({ length: 10 }, (_, i) => `/d${String(14 - i).padStart(2, "0")}/blob.bin`));
    // The five smallest: 1000 + 2000 + … + 5000 bytes.
    expect(waste.rest).toEqual({ bytes: 15_000, files: 5 });
    expect(waste.top.reduce((s, w) => s + w.bytes, 0) + waste.rest.bytes).toBe(report.image.sizes.wasted);
    const text = (await runCli(["scan", many])).stdout;
    expect(text).toContain("  15 kB  5 other files");
  });
});
