// Corpus, family "tar reader": streams Go's archive/tar reads differently
// from a naive reader. containerd and moby both read layers with Go's
// archive/tar (https://github.com/golang/go/blob/go1.19.8/src/archive/tar/reader.go);
// every case hides a shell or a setuid file from a reader that gets the
// rule wrong.
import { gnuMagic, metaEntry, paxMeta, rawEntry, rawTar } from "../hostile/build.js";
import type { CorpusCase } from "./corpus.js";

const SHELL = "#!/bin/busybox sh\n";
const latin1 = (s: string) => Buffer.from(s, "latin1");

export const tarCases: CorpusCase[] = [
  {
    id: "pax-global-path",
    family: "tar reader",
    about:
      "a PAX 'g' header's path renames only the 'g' entry itself (Reader.Next returns it after mergePAX); " +
      "the runtimes skip it (createTarFile: TypeXGlobalHeader) and the next entry keeps its own name",
    layers: async () => [rawTar(paxMeta("g", [["path", "app/notes"]], "pax_global_header"), rawEntry({ name: "usr/bin/sh", mode: 0o755 }, SHELL))],
    gate: 1,
  },
  {
    id: "pax-global-path-deletes",
    family: "tar reader",
    about:
      "a 'g' entry named by its path still goes through the apply loop: whatever is at that path, a whole " +
      "directory too, is removed (applyNaive / UnpackLayer: os.RemoveAll unless both are directories); " +
      "docker's overlay2 driver skips 'g' entries, and layerlint keeps /app, reported 'pax-global'",
    layers: async () => [rawTar(paxMeta("g", [["path", "app"]], "pax_global_header"))],
    gate: 0,
  },
  {
    id: "pax-x-twice",
    family: "tar reader",
    about: "two 'x' headers in a row: parsePAX replaces paxHdrs, so only the last one applies",
    layers: async () => [
      rawTar(paxMeta("x", [["path", "app/notes"]]), paxMeta("x", [["mtime", "1704067200"]]), rawEntry({ name: "usr/bin/sh", mode: 0o755 }, SHELL)),
    ],
    gate: 1,
  },
  {
    id: "pax-x-then-g",
    family: "tar reader",
    about: "a pending 'x' followed by 'g': Next returns the 'g' entry and the pending records are dropped",
    layers: async () => [
      rawTar(
        paxMeta("x", [["path", "app/notes"]]),
        paxMeta("g", [["comment", "global"]], "pax_global_header"),
        rawEntry({ name: "usr/bin/sh", mode: 0o755 }, SHELL),
      ),
    ],
    gate: 1,
  },
  {
    id: "gnu-longname-then-g",
    family: "tar reader",
    about: "a pending GNU long name ('L') followed by 'g': dropped like a pending 'x'",
    layers: async () => [
      rawTar(
        metaEntry("L", Buffer.from("app/notes\0")),
        paxMeta("g", [["comment", "global"]], "pax_global_header"),
        rawEntry({ name: "usr/bin/sh", mode: 0o755 }, SHELL),
      ),
    ],
    gate: 1,
  },
  {
    id: "typeflag0-trailing-slash",
    family: "tar reader",
    about:
      "typeflag '0' with a trailing '/' is a regular file with data (only '\\0' becomes a directory), " +
      "cleaned to usr/bin/sh; the data is a fake header that a reader taking it for a directory parses",
    layers: async () => [
      rawTar(rawEntry({ name: "usr/bin/sh/", typeflag: "0", mode: 0o755 }, rawEntry({ name: "app/readme", mode: 0o644 }, "harmless\n"))),
    ],
    gate: 1,
  },
  {
    id: "gnu-atime-prefix",
    family: "tar reader",
    about:
      "an old-GNU header whose atime/ctime fields do not parse: readHeader falls back to the ustar prefix " +
      "field, so 'sh' with prefix bytes 'usr/bin' is usr/bin/sh",
    layers: async () => [
      rawTar(
        rawEntry({ name: "sh", mode: 0o755 }, SHELL, (b) => {
          gnuMagic(b);
          b.write("usr/bin\0", 345, "latin1");
        }),
      ),
    ],
    gate: 1,
  },
  {
    id: "gnu-sparse-name-without-version",
    family: "tar reader",
    about:
      "GNU.sparse.name without GNU.sparse.major/minor/map: readGNUSparsePAXHeaders returns before using " +
      "it, and mergePAX ignores it, so the entry keeps its header name",
    layers: async () => [rawTar(paxMeta("x", [["GNU.sparse.name", "app/notes"]]), rawEntry({ name: "usr/bin/sh", mode: 0o755 }, SHELL))],
    gate: 1,
  },
  {
    id: "meta-header-at-end",
    family: "tar reader",
    about:
      "an 'x' header right before the end-of-archive blocks: Next reads the zero blocks as io.EOF, a clean " +
      "end, so the runtimes accept the layer (and its shell)",
    layers: async () => [rawTar(rawEntry({ name: "usr/bin/sh", mode: 0o755 }, SHELL), paxMeta("x", [["path", "app/notes"]]))],
    gate: 1,
  },
  {
    id: "invalid-utf8-names",
    family: "tar reader",
    about: "names are bytes: usr/bin/\\xff (setuid) and usr/bin/\\xfe are two files",
    layers: async () => [
      rawTar(
        rawEntry({ name: latin1("usr/bin/\xff"), mode: 0o4755 }, "setuid\n"),
        rawEntry({ name: latin1("usr/bin/\xfe"), mode: 0o755 }, "plain\n"),
      ),
    ],
    gate: 1,
  },
];
