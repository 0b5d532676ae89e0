/**
 * fast-check arbitraries for adversarial layer stacks: header sequences
 * mixing PAX 'x'/'g' and GNU 'L'/'K' meta headers, odd typeflags ('\0',
 * '7', trailing slashes on '0'), names with invalid UTF-8 and '..'
 * components, whiteouts, opaque markers, and symlink/hardlink chains across
 * 1-3 layers, some carrying security.capability. Names come from a small
 * vocabulary so entries collide, link to each other and to /etc/passwd.
 */
import fc from "fast-check";
import { CAP_SETUID, vfsCapV2 } from "../../fixtures/lib/tar-pack.js";
import { paxEntry } from "../../fixtures/lib/ustar-raw.js";
import { metaEntry, paxMeta, rawEntry, rawTar } from "../hostile/build.js";

// Plain names repeat so that most paths are ordinary and collide.
const COMPONENTS = ["etc", "etc", "usr", "bin", "bin", "a", "a", "b", "sh", "su", "passwd", "passwd", "..", ".", "\xff", "\xfe", ".wh..wh.plnk", ".wh..wh.x"];
const PREFIXES = ["", "", "", "./", "/", "../"];
const MODES = [0o644, 0o755, 0o4755, 0o2755, 0o1777, 0o777, 0o600];
const CONTENTS = ["x\n", "app:x:0:0::/:/bin/sh\n", "app:x:1000:1000::/:/bin/sh\n", "#!/bin/busybox sh\n", ""];

/** A path as raw bytes (latin1: "\xff" is the byte 0xff). */
const name = fc
  .tuple(fc.constantFrom(...PREFIXES), fc.array(fc.constantFrom(...COMPONENTS), { minLength: 1, maxLength: 3 }))
  .map(([p, cs]) => p + cs.join("/"));

const owner = fc.constantFrom(0, 1000);

export type Spec =
  | { t: "file"; name: string; mode: number; uid: number; content: string; flag: "0" | "\0" | "7"; slash: boolean; cap: boolean }
  | { t: "dir"; name: string; mode: number; uid: number }
  | { t: "symlink"; name: string; target: string }
  | { t: "hardlink"; name: string; target: string | number; mode: number; uid: number; cap: boolean }
  | { t: "whiteout"; name: string }
  | { t: "opaque"; name: string }
  | { t: "paxX"; path: string }
  | { t: "paxG"; path: string | null }
  | { t: "gnuL"; name: string }
  | { t: "gnuK"; target: string }
  | { t: "fifo"; name: string };

const spec: fc.Arbitrary<Spec> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant("file" as const),
      name,
      mode: fc.constantFrom(...MODES),
      uid: owner,
      content: fc.constantFrom(...CONTENTS),
      flag: fc.constantFrom<"0" | "\0" | "7">("0", "0", "0", "0", "0", "0", "\0", "\0", "\0", "7"),
      slash: fc.constantFrom(false, false, true),
      cap: fc.constantFrom(false, false, false, true),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("dir" as const), name, mode: fc.constantFrom(...MODES), uid: owner }) },
  {
    weight: 3,
    arbitrary: fc.record({ t: fc.constant("symlink" as const), name, target: fc.oneof(name, fc.constantFrom("/etc", "etc", "../..", "/")) }),
  },
  {
    weight: 3,
    // Mostly a file written before (a number: see resolveTargets), so most links can be made.
    arbitrary: fc.record({
      t: fc.constant("hardlink" as const),
      name,
      target: fc.oneof({ weight: 4, arbitrary: fc.nat(31) }, { weight: 1, arbitrary: name }),
      mode: fc.constantFrom(...MODES),
      uid: owner,
      cap: fc.constantFrom(false, false, true),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("whiteout" as const), name }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("opaque" as const), name }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("paxX" as const), path: name }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("paxG" as const), path: fc.option(name) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("gnuL" as const), name }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("gnuK" as const), target: name }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("fifo" as const), name }) },
);

/** Files of the base layer (test/oracle/corpus.ts) a hardlink may name. */
const BASE_FILES = ["etc/passwd", "etc/group", "etc/hostname", "app/ok.txt"];

/**
 * A hardlink target given as a number names the n-th (mod count) regular
 * file written so far, base layer included.
 */
function resolveTargets(stack: Spec[][]): Spec[][] {
  const files = [...BASE_FILES];
  return stack.map((layer) =>
    layer.map((s) => {
      if (s.t === "file") files.push(s.name);
      return s.t === "hardlink" && typeof s.target === "number" ? { ...s, target: files[s.target % files.length]! } : s;
    }),
  );
}

/** 1-3 hostile layers of 1-6 entries each. */
export const layerStack: fc.Arbitrary<Spec[][]> = fc
  .array(fc.array(spec, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 3 })
  .map(resolveTargets);

const b = (s: string) => Buffer.from(s, "latin1");
const CAP: [string, Buffer][] = [["SCHILY.xattr.security.capability", vfsCapV2(1 << CAP_SETUID)]];

function base(path: string): [string, string] {
  const i = path.lastIndexOf("/");
  return i < 0 ? ["", path] : [path.slice(0, i + 1), path.slice(i + 1)];
}

function encode(s: Spec): Buffer {
  switch (s.t) {
    case "file": {
      const h = { name: b(s.name + (s.slash ? "/" : "")), mode: s.mode, uid: s.uid, gid: s.uid, typeflag: s.flag };
      if (!s.cap) return rawEntry(h, s.content);
      const content = Buffer.from(s.content);
      return paxEntry({ ...h, size: content.length, mtime: 1704067200 }, CAP, content);
    }
    case "dir":
      return rawEntry({ name: b(`${s.name}/`), typeflag: "5", mode: s.mode, uid: s.uid, gid: s.uid });
    case "symlink":
      return rawEntry({ name: b(s.name), typeflag: "2", linkname: b(s.target), mode: 0o777 });
    case "hardlink": {
      const h = { name: b(s.name), typeflag: "1", linkname: b(String(s.target)), mode: s.mode, uid: s.uid, gid: s.uid };
      return s.cap ? paxEntry({ ...h, size: 0, mtime: 1704067200 }, CAP, Buffer.alloc(0)) : rawEntry(h);
    }
    case "whiteout": {
      const [dir, name] = base(s.name);
      return rawEntry({ name: b(`${dir}.wh.${name}`) });
    }
    case "opaque":
      return rawEntry({ name: b(`${s.name}/.wh..wh..opq`) });
    case "paxX":
      return paxMeta("x", [["path", b(s.path)]]);
    case "paxG":
      return paxMeta("g", s.path === null ? [["comment", "g"]] : [["path", b(s.path)]], "pax_global_header");
    case "gnuL":
      return metaEntry("L", Buffer.concat([b(s.name), Buffer.from([0])]));
    case "gnuK":
      return metaEntry("K", Buffer.concat([b(s.target), Buffer.from([0])]));
    case "fifo":
      return rawEntry({ name: b(s.name), typeflag: "6", mode: 0o644 });
  }
}

export function encodeLayer(specs: Spec[]): Buffer {
  return rawTar(...specs.map(encode));
}

/** A sample in one line, for failure messages (names JSON-escaped). */
export function describeStack(stack: Spec[][]): string {
  return stack.map((l, i) => `L${i + 1}: ${l.map((s) => JSON.stringify(s)).join(" ")}`).join(" | ");
}
