// Nothing outside an OCI layout directory is read: a layout file that is a
// symlink out of it is refused before a byte is read, and no error quotes
// the content of a file (invalid JSON is named by its byte offset).
import { mkdir, rename, symlink, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/gate.js";
import { baseTar, image, layer, layoutFiles, writeTree, type Built } from "./hostile/build.js";

const SECRET = "root:x:0:0:do-not-echo:/root:/bin/sh\n";
let tmp: { dir: string; cleanup: () => Promise<void> };
let b: Built;
let outside: string;

beforeAll(async () => {
  tmp = await tempDir("layerlint-links-");
  b = image({ layers: [layer(await baseTar())] });
  outside = `${tmp.dir}/outside.txt`;
  await writeFile(outside, SECRET);
});
afterAll(async () => {
  await tmp.cleanup();
});

/** A fresh layout under tmp/name; `edit` makes its links. */
async function layout(name: string, edit: (dir: string) => Promise<void>): Promise<string> {
  const dir = await writeTree(`${tmp.dir}/${name}`, layoutFiles(b));
  await edit(dir);
  return dir;
}

async function replaceWithLink(path: string, target: string): Promise<void> {
  await rename(path, `${path}.real`);
  await symlink(target, path);
}

const refused = (dir: string, rel: string) => `error: ${dir}: ${rel} is a symlink out of the layout; refusing to follow it\n`;

describe("an OCI layout directory reads nothing outside itself", () => {
  it("index.json, oci-layout or a blob linked out of the layout (relative or absolute link) is refused, its target never echoed", async () => {
    const manifestBlob = `blobs/sha256/${b.manifest.digest.slice("sha256:".length)}`;
    const cases: [string, string, (dir: string) => string][] = [
      ["index-rel", "index.json", () => "../outside.txt"],
      ["index-abs", "index.json", () => outside],
      ["layout-file", "oci-layout", () => outside],
      ["blob", manifestBlob, () => outside],
      ["config", `blobs/sha256/${b.config.digest.slice("sha256:".length)}`, () => outside],
    ];
    for (const [name, rel, target] of cases) {
      const dir = await layout(name, (d) => replaceWithLink(`${d}/${rel}`, target(d)));
      for (const input of [`oci:${dir}`, dir]) {
        const r = await runCli(["files", input]);
        expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }, `${name} ${input}`).toEqual({ code: 2, stdout: "", stderr: refused(dir, rel) });
      }
    }
  });

  it("a blobs directory linked out of the layout is refused too", async () => {
    const elsewhere = `${tmp.dir}/elsewhere`;
    const dir = await layout("blobs-dir", async (d) => {
      await mkdir(elsewhere);
      await rename(`${d}/blobs`, `${elsewhere}/blobs`);
      await symlink(`${elsewhere}/blobs`, `${d}/blobs`);
    });
    const r = await runCli(["files", `oci:${dir}`]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: refused(dir, `blobs/sha256/${b.manifest.digest.slice(7)}`) });
  });

  it("links inside the layout, and a layout reached through a link, are read as before", async () => {
    const dir = await layout("inside", async (d) => {
      await mkdir(`${d}/alt`);
      await rename(`${d}/index.json`, `${d}/alt/index.json`);
      await symlink("alt/index.json", `${d}/index.json`);
    });
    await symlink(dir, `${tmp.dir}/via-link`);
    for (const input of [`oci:${dir}`, `oci:${tmp.dir}/via-link`]) {
      const r = await runCli(["files", input]);
      expect({ code: r.code, stderr: r.stderr }, input).toEqual({ code: 0, stderr: "" });
    }
  });

  it("invalid JSON is named by the byte where it stops being JSON, never by quoting the file", async () => {
    const dir = await layout("passwd-index", (d) => writeFile(`${d}/index.json`, SECRET));
    const r = await runCli(["files", `oci:${dir}`]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: `error: ${dir}: index.json: invalid JSON (unexpected "r" at byte 0)\n` });
    const cut = await layout("cut-index", (d) => writeFile(`${d}/index.json`, '{"schemaVersion":2,"manifests":['));
    const c = await runCli(["files", `oci:${cut}`]);
    expect(c.stderr).toBe(`error: ${cut}: index.json: invalid JSON (unexpected end of input)\n`);
    const control = await layout("ctl-index", (d) => writeFile(`${d}/index.json`, '{"a":"\x1b[31m"}'));
    const e = await runCli(["files", `oci:${control}`]);
    expect(e.stderr).toBe(`error: ${control}: index.json: invalid JSON (unexpected byte 0x1b at byte 6)\n`);
  });
});
