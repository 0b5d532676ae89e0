// Corpus, families "hardlink headers", "files we cannot see", "path
// semantics" and "tree": what containerd's archive.Apply
// (https://github.com/containerd/containerd/blob/v1.6.20/archive/tar.go) and
// moby's UnpackLayer
// (https://github.com/moby/moby/blob/v20.10.24/pkg/archive/diff.go) do with
// the tree.
import { file, hardlink, packTar, symlink, vfsCapV2, CAP_SETUID, whiteout } from "../../fixtures/lib/tar-pack.js";
import { paxEntry } from "../../fixtures/lib/ustar-raw.js";
import { rawEntry, rawTar } from "../hostile/build.js";
import type { CorpusCase } from "./corpus.js";

const ROOT_LINE = "app:x:0:0:app:/home/app:/bin/sh\n";

/** A /etc/passwd over layerlint's 1 MiB content cap whose last line makes "app" uid 0. */
function bigPasswd(): string {
  const lines: string[] = ["root:x:0:0:root:/root:/sbin/nologin\n"];
  for (let i = 0; i < 32_000; i++) lines.push(`u${String(i).padStart(5, "0")}:x:${20_000 + i}:${20_000 + i}::/nonexistent:/sbin/nologin\n`);
  lines.push(ROOT_LINE);
  return lines.join("");
}

export const fsCases: CorpusCase[] = [
  {
    id: "hardlink-header-mode",
    family: "hardlink headers",
    about:
      "a hardlink header's own mode and owner are applied to the shared inode (containerd: Lchown + lchmod " +
      "on the new name; moby: handleLChmod), so both names become setuid root",
    layers: async () => [
      await packTar([file("usr/bin/tool", "tool\n", 0o755, { uid: 1000, gid: 1000 }), hardlink("usr/bin/tool2", "usr/bin/tool", 0o4755)]),
    ],
    gate: 1,
  },
  {
    id: "hardlink-header-capability",
    family: "hardlink headers",
    about: "a hardlink header's SCHILY.xattr.security.capability is set on the shared inode: both names are capable",
    layers: async () => [
      Buffer.concat([
        (await packTar([file("usr/bin/tool", "tool\n", 0o755)])).subarray(0, -1024),
        paxEntry(
          { name: "usr/bin/tool2", mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 1704067200, typeflag: "1", linkname: "usr/bin/tool" },
          [["SCHILY.xattr.security.capability", vfsCapV2(1 << CAP_SETUID)]],
          Buffer.alloc(0),
        ),
        Buffer.alloc(1024),
      ]),
    ],
    gate: 0,
  },
  {
    id: "hardlink-chain-across-layers",
    family: "hardlink headers",
    about: "layer 2 links b to a with mode 4755, layer 3 whites a out: b keeps the setuid inode",
    layers: async () => [
      await packTar([file("usr/bin/a", "a\n", 0o755)]),
      await packTar([hardlink("usr/bin/b", "usr/bin/a", 0o4755)]),
      await packTar([whiteout("usr/bin/a")]),
    ],
    gate: 1,
  },
  {
    id: "passwd-through-symlinked-parent",
    family: "files we cannot see",
    user: "app",
    about: "e -> etc, then e/passwd in the same layer: written through the symlink (fs.RootPath / the chroot), /etc/passwd makes app uid 0",
    layers: async () => [await packTar([symlink("e", "etc"), file("e/passwd", ROOT_LINE)])],
    gate: 1,
  },
  {
    id: "passwd-through-symlinked-parent-lower-layer",
    family: "files we cannot see",
    user: "app",
    about:
      "e -> etc in one layer, e/passwd in the next: written through it when layers are applied into one " +
      "directory (native snapshotter, vfs)",
    layers: async () => [await packTar([symlink("e", "etc")]), await packTar([file("e/passwd", ROOT_LINE)])],
    gate: 1,
  },
  {
    id: "passwd-symlink",
    family: "files we cannot see",
    user: "app",
    about: "/etc/passwd is a symlink to /app/pw: both user lookups follow it inside the root",
    layers: async () => [await packTar([file("app/pw", ROOT_LINE), symlink("etc/passwd", "/app/pw")])],
    gate: 1,
  },
  {
    id: "passwd-hardlink",
    family: "files we cannot see",
    user: "app",
    about: "/etc/passwd is a hardlink to /app/pw",
    layers: async () => [await packTar([file("app/pw", ROOT_LINE), hardlink("etc/passwd", "app/pw", 0o644)])],
    gate: 1,
  },
  {
    id: "passwd-over-1mib",
    family: "files we cannot see",
    user: "app",
    about: "a 1.2 MB /etc/passwd whose last line makes app uid 0: runc reads it all",
    layers: async () => [await packTar([file("etc/passwd", bigPasswd())])],
    gate: 1,
  },
  {
    id: "dotdot-inside-passwd",
    family: "path semantics",
    user: "app",
    about: "x/../etc/passwd is cleaned (filepath.Clean) and written as /etc/passwd by both runtimes",
    layers: async () => [rawTar(rawEntry({ name: "x/../etc/passwd", mode: 0o644 }, ROOT_LINE))],
    gate: 1,
  },
  {
    id: "dotdot-inside-shell",
    family: "path semantics",
    about: "usr/lib/../bin/sh is cleaned to /usr/bin/sh by both runtimes",
    layers: async () => [rawTar(rawEntry({ name: "usr/lib/../bin/sh", mode: 0o755 }, "#!/bin/busybox sh\n"))],
    gate: 1,
  },
  {
    id: "dotdot-leading-setuid",
    family: "path semantics",
    about:
      "../usr/bin/su: containerd clamps it into the root (fs.RootPath); moby's breakout check cannot fire " +
      "under chrootarchive, whose destination is \"/\" (filepath.Join(\"/\", \"../usr/bin/su\") is /usr/bin/su)",
    layers: async () => [rawTar(rawEntry({ name: "../usr/bin/su", mode: 0o4755 }, "su\n"))],
    gate: 1,
  },
  {
    id: "whiteout-dot",
    family: "path semantics",
    about:
      "usr/.wh..: containerd refuses the layer (validateWhiteout: invalid whiteout name); moby removes " +
      "filepath.Join(\"/usr\", \".\"), the whole /usr",
    layers: async () => [rawTar(rawEntry({ name: "usr/.wh..", mode: 0o644 }))],
    gate: 0,
    appliedBy: "moby-only",
  },
  {
    id: "setuid-under-whiteout-meta-dir",
    family: "path semantics",
    about:
      "a setuid file under /.wh..wh.x/: containerd checks only the base name for whiteouts and extracts it; " +
      "moby skips every name starting with .wh..wh.",
    layers: async () => [rawTar(rawEntry({ name: ".wh..wh.x/su", mode: 0o4755 }, "su\n"))],
    gate: 1,
  },
  {
    id: "hardlink-into-plnk",
    family: "path semantics",
    about:
      "a hardlink to /.wh..wh.plnk/1: moby recreates it from the plnk entry's header (mode 4755); " +
      "containerd extracts the plnk file and the link header's mode 0755 wins on the shared inode",
    layers: async () => [
      rawTar(
        rawEntry({ name: ".wh..wh.plnk/1", mode: 0o4755 }, "payload\n"),
        rawEntry({ name: "usr/bin/tool", typeflag: "1", linkname: ".wh..wh.plnk/1", mode: 0o755 }),
      ),
    ],
    gate: 1,
  },
  {
    id: "root-dir-entry",
    family: "tree",
    about: "a './' entry: containerd ignores it (resolved to root); moby applies its mode and owner to /",
    layers: async () => [rawTar(rawEntry({ name: "./", typeflag: "5", mode: 0o777, uid: 1000, gid: 1000 }))],
    gate: 0,
  },
  {
    id: "implied-parents",
    family: "tree",
    about: "missing parents: containerd's mkparent makes them 0755 root:root; moby's MkdirAll(0600) under umask 0",
    layers: async () => [rawTar(rawEntry({ name: "opt/deep/tree/file", mode: 0o644 }, "x\n"))],
    gate: 0,
  },
  {
    id: "whiteout-creates-parents",
    family: "tree",
    about:
      "a whiteout or opaque marker under missing directories: both runtimes create the parents first " +
      "(containerd mkparent, moby MkdirAll) although the marker itself writes nothing",
    layers: async () => [rawTar(rawEntry({ name: "opt/gone/.wh.x" }), rawEntry({ name: "srv/new/.wh..wh..opq" }))],
    gate: 0,
  },
  {
    id: "symlink-header-mode",
    family: "tree",
    about: "a symlink header with mode 0644: Linux symlinks are always 0777 (lchmod skips them)",
    layers: async () => [rawTar(rawEntry({ name: "app/link", typeflag: "2", linkname: "ok.txt", mode: 0o644 }))],
    gate: 0,
  },
];
