// Corpus, families "tree", "path semantics" and "hardlink headers": where a
// name acts in the stream, and the corners where containerd's applyNaive
// (https://github.com/containerd/containerd/blob/v1.6.20/archive/tar.go) and
// moby's UnpackLayer (https://github.com/moby/moby/blob/v20.10.24/pkg/archive/diff.go)
// take paths a merge that reorders or skips them gets wrong.
import { dir, file, hardlink, opaque, packTar, symlink, whiteout } from "../../fixtures/lib/tar-pack.js";
import { paxMeta, rawEntry, rawTar } from "../hostile/build.js";
import type { CorpusCase } from "./corpus.js";

const SHELL = "#!/bin/busybox sh\n";
const ROOT_LINE = "app:x:0:0:app:/home/app:/bin/sh\n";

export const treeCases: CorpusCase[] = [
  {
    id: "whiteout-after-same-layer-entry",
    family: "tree",
    about:
      "usr/bin/sh then usr/bin/.wh.sh in one layer: both runtimes os.RemoveAll the whiteout's path where it " +
      "stands in the stream, so the shell written just before it is gone (the image-spec would keep it)",
    layers: async () => [await packTar([file("usr/bin/sh", SHELL, 0o755), whiteout("usr/bin/sh")])],
    gate: 0,
  },
  {
    id: "opaque-after-entry-in-lower-dir",
    family: "tree",
    about:
      "app/sub/su (app/sub implied) then app/.wh..wh..opq: the marker hides what this layer did not write " +
      "(unpackedPaths), and the implied app/sub is not written, so su goes with it",
    layers: async () => [await packTar([file("app/sub/su", "su\n", 0o4755), opaque("app"), file("app/kept", "k\n")])],
    gate: 0,
  },
  {
    id: "implied-dir-in-setgid-dir",
    family: "tree",
    about:
      "srv/ is 2775 group 1000, then srv/x/y: the kernel gives the implied srv/x the group of its setgid " +
      "parent (mkparent makes it with mkdir + chmod 0755, no chown)",
    layers: async () => [await packTar([dir("srv", 0o2775, { gid: 1000 }), file("srv/x/y", "y\n")])],
    gate: 0,
  },
  {
    id: "aufs-named-hardlink",
    family: "hardlink headers",
    about:
      "a hardlink named .wh..wh.x/t to a setuid file, header 0755: containerd links it and its mode wins " +
      "on the inode; moby skips the name, so the file stays setuid",
    layers: async () => [await packTar([file("usr/bin/tool", "tool\n", 0o4755), hardlink(".wh..wh.x/t", "usr/bin/tool", 0o755)])],
    gate: 1,
  },
  {
    id: "aufs-named-whiteout",
    family: "path semantics",
    about:
      "a whiteout named .wh..wh.plnk removes /.wh.plnk in containerd; moby skips every name under " +
      ".wh..wh., so the setuid file in it stays",
    layers: async () => [await packTar([file(".wh.plnk/su", "su\n", 0o4755)]), rawTar(rawEntry({ name: ".wh..wh.plnk" }))],
    gate: 1,
  },
  {
    id: "whiteout-dot-dot-dot",
    family: "path semantics",
    about:
      "usr/bin/.wh...: containerd refuses the layer; moby removes filepath.Join(\"/usr/bin\", \"..\"), all of /usr",
    layers: async () => [rawTar(rawEntry({ name: "usr/bin/sh", mode: 0o755 }, SHELL), rawEntry({ name: "usr/bin/.wh..." }))],
    gate: 0,
    appliedBy: "moby-only",
  },
  {
    id: "pax-global-over-symlink",
    family: "tar reader",
    user: "app",
    about:
      "d -> etc, a 'g' entry named d, then d/passwd: the apply loop removes the symlink at the 'g' entry, " +
      "so d/passwd is a new /d/passwd and /etc/passwd is untouched",
    layers: async () => [
      rawTar(
        rawEntry({ name: "d", typeflag: "2", linkname: "etc" }),
        paxMeta("g", [["path", "d"]], "pax_global_header"),
        rawEntry({ name: "d/passwd", mode: 0o644 }, ROOT_LINE),
      ),
    ],
    gate: 0,
  },
  {
    id: "hardlink-chmod-through-symlink",
    family: "hardlink headers",
    about:
      "h => e/../s (4755), e -> /etc/sub, s -> /bin/tool: containerd links /etc/s and makes it setuid; moby " +
      "links the symlink /s (filepath.Join) and, os.Lstat(\"e/../s\") being a file, chmods /h through it: /bin/tool is setuid",
    layers: async () => [
      await packTar([dir("etc/sub"), file("etc/s", "s\n"), symlink("e", "/etc/sub"), file("usr/bin/tool", "tool\n", 0o755), symlink("s", "/usr/bin/tool")]),
      rawTar(rawEntry({ name: "h", typeflag: "1", linkname: "e/../s", mode: 0o4755 })),
    ],
    gate: 1,
  },
  {
    id: "hardlink-dotdot-two-files",
    family: "hardlink headers",
    about:
      "h => e/../s (4755), e -> /etc/sub, s a plain 0755 file: containerd links /etc/s and makes it setuid; moby links " +
      "/s (filepath.Join) and its chown and chmod make /s setuid: both are reported",
    layers: async () => [
      await packTar([dir("etc/sub"), file("etc/s", "s\n"), symlink("e", "/etc/sub"), file("s", "other\n", 0o755)]),
      rawTar(rawEntry({ name: "h", typeflag: "1", linkname: "e/../s", mode: 0o4755 })),
    ],
    gate: 1,
  },
  {
    id: "hardlink-dotdot-lexical",
    family: "hardlink headers",
    about:
      "h => d/../su with d -> /nowhere/x: containerd resolves d first and finds nothing (the layer fails); " +
      "moby links filepath.Join(\"/\", \"d/../su\"), /su, whose setuid bit its Lchown then clears",
    layers: async () => [
      await packTar([file("su", "su\n", 0o4755), symlink("d", "/nowhere/x")]),
      rawTar(rawEntry({ name: "h", typeflag: "1", linkname: "d/../su", mode: 0o755 })),
    ],
    gate: 0,
    appliedBy: "moby-only",
  },
  {
    id: "hardlink-target-replaced",
    family: "hardlink headers",
    about:
      "b is a setuid hardlink to a, then a is replaced in the next layer: b keeps the old inode alone " +
      "(one name, nlink 1), a is the new file",
    layers: async () => [
      await packTar([file("usr/bin/a", "a\n", 0o755), hardlink("usr/bin/b", "usr/bin/a", 0o4755), symlink("usr/bin/c", "b")]),
      await packTar([file("usr/bin/a", "new\n", 0o755)]),
    ],
    gate: 1,
  },
];
