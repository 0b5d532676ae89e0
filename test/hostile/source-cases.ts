// Hostile inputs aimed at how an image is found rather than how it is read:
// a platform asked for that a single image is not, layout files that are
// symlinks out of the layout, and an archive whose OCI layout and
// manifest.json name different images. Part of the corpus in cases.ts.
import { symlink, writeFile } from "node:fs/promises";
import {
  baseTar, dockerSaveEntry, file, image, json, layer, layoutFiles, packTar, writeArchive, writeTree, type Built,
} from "./build.js";
import type { HostileCase } from "./cases.js";

const SECRET = "root:x:0:0:hostile-secret:/root:/bin/sh\n";

async function baseImage(user = "1000"): Promise<Built> {
  return image({ layers: [layer(await baseTar(), "none")], config: (c) => (c.config.User = user) });
}

/** A layout under work/img whose `name` is a symlink to work/outside.txt (holding SECRET). */
async function layoutWithLinkOut(work: string, name: (b: Built) => string): Promise<string> {
  const b = await baseImage();
  const files = layoutFiles(b);
  const linked = name(b);
  await writeFile(`${work}/outside.txt`, SECRET);
  const dir = await writeTree(`${work}/img`, files.filter((f) => f.path !== linked));
  await symlink(`${work}/outside.txt`, `${dir}/${linked}`);
  return dir;
}

export const sourceCases: HostileCase[] = [
  {
    id: "single-platform-other-than-asked",
    group: "manifests, configs and indexes",
    outcome: "error PLATFORM_NOT_FOUND (--platform linux/arm64 on an image that is linux/amd64 only, no index to choose from)",
    command: "scan",
    flags: ["--platform", "linux/arm64"],
    error: /^oci:.*\/img is linux\/amd64 only; --platform linux\/arm64 does not match$/,
    async build(work) {
      return `oci:${await writeTree(`${work}/img`, layoutFiles(await baseImage()))}`;
    },
  },
  {
    id: "layout-index-json-symlink-out",
    group: "archives",
    outcome: "error ARCHIVE_INVALID (index.json is a symlink out of the layout: not followed, nothing of its target echoed)",
    command: "files",
    error: /^.*\/img: index\.json is a symlink out of the layout; refusing to follow it$/,
    async build(work) {
      return `oci:${await layoutWithLinkOut(work, () => "index.json")}`;
    },
  },
  {
    id: "layout-blob-symlink-out",
    group: "archives",
    outcome: "error ARCHIVE_INVALID (a manifest blob is a symlink out of the layout)",
    command: "files",
    error: /^.*\/img: blobs\/sha256\/[0-9a-f]{64} is a symlink out of the layout; refusing to follow it$/,
    async build(work) {
      return layoutWithLinkOut(work, (b) => `blobs/sha256/${b.manifest.digest.slice(7)}`);
    },
  },
  {
    id: "archive-layout-and-manifest-json-disagree",
    group: "archives",
    outcome: "error AMBIGUOUS_IMAGE (index.json names a non-root image, manifest.json a root one: which one loads depends on the daemon)",
    command: "scan",
    error: /^.*\/two\.tar: index\.json and manifest\.json describe different images \(sha256:[0-9a-f]{12}… vs sha256:[0-9a-f]{12}…\)$/,
    async build(work) {
      const shown = await baseImage("1000");
      const hidden = image({
        layers: [layer(await packTar([file("etc/passwd", "root:x:0:0::/root:/bin/sh\n")]), "none")],
        config: (c) => (c.config.User = "0"),
      });
      return writeArchive(`${work}/two.tar`, [
        ...layoutFiles(shown),
        ...hidden.files,
        { path: "manifest.json", data: json([dockerSaveEntry(hidden, ["app:1"])]) },
      ]);
    },
  },
];
