// Differential oracle for the tar reader: main.go (Go's archive/tar) built
// with the Debian toolchain into node_modules/.cache, fed many streams per
// process, and our walkTar on the same bytes, in one comparable shape.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { walkTar } from "../../packages/core/src/tar/walk-tar.js";
import { encodeName } from "../../packages/core/src/tar/names.js";
import type { TarHeader } from "../../packages/core/src/tar/tar-header.js";
import { ensureDebianPackages } from "../helpers/debian.js";
import { runBatch } from "../helpers/batch-process.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const cache = path.resolve(here, "../../node_modules/.cache/go-tar");

export interface Row {
  /** Go's typeflag after next() (TypeRegA already made '0' or '5'). */
  typeflag: number;
  name: string; // hex
  linkname: string; // hex
  size: string;
  mode: string; // & 0o7777
  uid: string;
  gid: string;
  uname: string; // hex
  gname: string; // hex
  devmajor: string;
  devminor: string;
  mtime: string;
  xattrs: [string, string][]; // [key hex, value hex], sorted by key
}

export interface Outcome {
  entries: Row[];
  error?: string;
}

/** Builds the Go program once per source version; installs golang-go when missing. */
export function goTarBinary(): string {
  ensureDebianPackages({ go: "golang-go" });
  const src = readFileSync(path.join(here, "main.go"));
  const bin = path.join(cache, `go-tar-${createHash("sha256").update(src).digest("hex").slice(0, 16)}`);
  if (existsSync(bin)) return bin;
  mkdirSync(cache, { recursive: true });
  const env = { ...process.env, GOCACHE: path.join(cache, "gocache"), GOPATH: path.join(cache, "gopath"), GOFLAGS: "-mod=mod", GOPROXY: "off" };
  execFileSync("go", ["build", "-o", bin, "."], { cwd: here, env, stdio: ["ignore", "ignore", "pipe"] });
  return bin;
}

/** Go's reading of each stream, one process for the whole batch. */
export async function goRead(bin: string, streams: Uint8Array[]): Promise<Outcome[]> {
  const out = await runBatch(bin, [], "go-tar", (stdin) => {
    for (const s of streams) {
      const len = Buffer.alloc(8);
      len.writeBigUInt64BE(BigInt(s.length));
      stdin.write(len);
      stdin.write(s);
    }
    stdin.end();
  });
  const lines = out.toString("utf8").trim().split("\n").filter(Boolean);
  return lines.map((l) => {
    const r = JSON.parse(l) as { entries: (Omit<Row, "mode" | "xattrs"> & { mode: string; xattrs: [string, string][] })[]; error?: string };
    const entries = r.entries.map((e) => ({ ...e, mode: String(BigInt.asUintN(64, BigInt(e.mode)) & 0o7777n) }));
    return r.error === undefined ? { entries } : { entries, error: r.error };
  });
}

const GO_FLAG: Partial<Record<TarHeader["type"], number>> = {
  file: 0x30, hardlink: 0x31, symlink: 0x32, char: 0x33, block: 0x34, dir: 0x35, fifo: 0x36, contiguous: 0x37, "gnu-sparse": 0x53, "pax-global": 0x67,
};

const hex = (s: string): string => Buffer.from(encodeName(s)).toString("hex");

/** Our reading, in Go's shape. Header-only types report size 0 here and keep the header's in Go: their size is not compared. */
export async function oursRead(stream: Uint8Array, chunk = 4096): Promise<Outcome> {
  const entries: Row[] = [];
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < stream.length; i += chunk) yield stream.subarray(i, i + chunk);
  }
  try {
    await walkTar(chunks(), {
      entry(h) {
        entries.push({
          typeflag: GO_FLAG[h.type] ?? h.typeflag,
          name: hex(h.name),
          linkname: hex(h.linkname),
          size: String(h.size),
          mode: String(h.mode),
          uid: String(h.uid),
          gid: String(h.gid),
          uname: hex(h.uname),
          gname: hex(h.gname),
          devmajor: String(h.devmajor),
          devminor: String(h.devminor),
          mtime: String(h.mtime),
          xattrs: Object.keys(h.xattrs).sort((a, b) => Buffer.compare(encodeName(a), encodeName(b))).map((k) => [hex(k), Buffer.from(h.xattrs[k]!).toString("hex")]),
        });
        return 64;
      },
      content() {},
    });
    return { entries };
  } catch (e) {
    return { entries, error: `${(e as { code?: string }).code}: ${(e as Error).message}` };
  }
}

const HEADER_ONLY = new Set([0x31, 0x32, 0x33, 0x34, 0x35, 0x36]);

/**
 * Where we are stricter than Go on purpose (see walk-tar.ts): an error where
 * Go reads on. Our entries must then be a prefix of Go's.
 */
const STRICTER: RegExp[] = [
  /^LIMIT_EXCEEDED: tar entry (name|link name) at offset \d+ is \d+ bytes, over the 4096-byte PATH_MAX/,
  /^TAR_INVALID: tar header field (uid|gid|mode|devmajor|devminor) is not a valid number \(over 2\^53\)/,
  /^TAR_INVALID: invalid pax record: (uid|gid) is too large$/,
  /^TAR_INVALID: tar pax global header at offset \d+ has a path and an invalid value/,
];

function rowDiff(a: Row, g: Row): string | undefined {
  const keys: (keyof Row)[] = ["typeflag", "name", "linkname", "mode", "uid", "gid", "uname", "gname", "devmajor", "devminor", "xattrs"];
  if (!HEADER_ONLY.has(g.typeflag)) keys.push("size");
  if (g.typeflag !== 0x67) keys.push("mtime"); // Go leaves a g entry's ModTime as the zero time
  // A g entry whose records fail Go's merge keeps a random subset of its xattrs in Go; ours has none then.
  if (g.typeflag === 0x67 && a.xattrs.length === 0) keys.splice(keys.indexOf("xattrs"), 1);
  for (const k of keys) {
    if (JSON.stringify(a[k]) !== JSON.stringify(g[k])) return `${k}: ours ${JSON.stringify(a[k])} go ${JSON.stringify(g[k])}`;
  }
  return undefined;
}

/** undefined when we read what Go reads (or are stricter in an allowed way); else one line saying where we differ. */
export function disagreement(ours: Outcome, go: Outcome): string | undefined {
  let n = ours.entries.length;
  const strict = ours.error !== undefined && STRICTER.some((re) => re.test(ours.error!));
  if (strict && (go.error === undefined || n !== go.entries.length)) {
    // Our error comes where Go reads on (and may fail later).
    if (n > go.entries.length) return `ours fails (${ours.error}) after ${n} entries, go reads ${go.entries.length}`;
  } else if ((ours.error === undefined) !== (go.error === undefined)) {
    return ours.error === undefined
      ? `go fails (${go.error}) after ${go.entries.length} entries, ours reads ${n}`
      : `ours fails (${ours.error}), go reads ${go.entries.length} entries`;
  } else if (n !== go.entries.length) {
    return `entries: ours ${n} go ${go.entries.length} (errors: ours ${ours.error ?? "none"}, go ${go.error ?? "none"})`;
  }
  n = Math.min(n, go.entries.length);
  for (let i = 0; i < n; i++) {
    const d = rowDiff(ours.entries[i]!, go.entries[i]!);
    if (d) return `entry ${i}: ${d}`;
  }
  return undefined;
}
