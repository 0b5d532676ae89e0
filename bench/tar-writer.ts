/**
 * A minimal ustar/PAX header writer for the benchmark generator. It only
 * builds headers: callers stream the payload bytes themselves, so a layer
 * is never held in memory. GNU tar, umoci and skopeo read what it writes
 * (the baseline `tar -t` run checks every layer). PAX records and the
 * end-of-archive blocks come from the fixtures' raw ustar writer.
 */
import { paxRecord } from "../fixtures/lib/ustar-raw.js";

/** Two zero blocks end an archive. */
export { END_OF_ARCHIVE } from "../fixtures/lib/ustar-raw.js";

const BLOCK = 512;
const ZEROS = Buffer.alloc(BLOCK);
const USERS: Record<number, string> = { 0: "root", 1000: "app" };
const GROUPS: Record<number, string> = { 0: "root", 42: "shadow", 1000: "app" };

export type TarType = "file" | "dir" | "symlink" | "hardlink";

export interface TarHeaderFields {
  /** Relative path, no leading slash; directories without a trailing slash. */
  path: string;
  type: TarType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  link?: string | undefined;
  /** PAX `SCHILY.xattr.*` values, raw bytes. */
  xattrs?: Record<string, Buffer> | undefined;
}

const TYPEFLAG: Record<TarType, number> = { file: 0x30, hardlink: 0x31, symlink: 0x32, dir: 0x35 };

/** Bytes of zero padding after a payload of `size` bytes. */
export function paddingFor(size: number): Buffer {
  const r = size % BLOCK;
  return r === 0 ? ZEROS.subarray(0, 0) : ZEROS.subarray(0, BLOCK - r);
}

function octal(buf: Buffer, off: number, width: number, value: number): void {
  const s = value.toString(8).padStart(width - 1, "0");
  if (s.length > width - 1) throw new Error(`tar field overflow: ${value} in ${width} bytes`);
  buf.write(s, off, "ascii");
  buf[off + width - 1] = 0;
}

/** name (≤ 100 bytes) and ustar prefix (≤ 155 bytes), or undefined when a PAX path is needed. */
function splitPath(path: string): { name: string; prefix: string } | undefined {
  const len = Buffer.byteLength(path);
  if (len <= 100) return { name: path, prefix: "" };
  if (len !== path.length) return undefined; // non-ASCII: keep it simple
  for (let i = path.indexOf("/"); i >= 0 && i <= 155; i = path.indexOf("/", i + 1)) {
    if (path.length - i - 1 <= 100 && i <= 155) return { prefix: path.slice(0, i), name: path.slice(i + 1) };
  }
  return undefined;
}

function ustar(f: TarHeaderFields, name: string, prefix: string, link: string, typeflag: number, size: number): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(name, 0, 100, "utf8");
  octal(b, 100, 8, f.mode & 0o7777);
  octal(b, 108, 8, f.uid);
  octal(b, 116, 8, f.gid);
  octal(b, 124, 12, size);
  octal(b, 136, 12, f.mtime);
  b.fill(0x20, 148, 156); // checksum placeholder
  b[156] = typeflag;
  b.write(link, 157, 100, "utf8");
  b.write("ustar\u000000", 257, 8, "ascii");
  b.write(USERS[f.uid] ?? "", 265, 32, "ascii");
  b.write(GROUPS[f.gid] ?? "", 297, 32, "ascii");
  b.write(prefix, 345, 155, "utf8");
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i]!;
  b.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, 8, "ascii");
  return b;
}

/** The header block(s) of one entry: a PAX extended header first when needed. */
export function tarHeader(f: TarHeaderFields): Buffer {
  const split = splitPath(f.path);
  const link = f.link ?? "";
  const records: Buffer[] = [];
  if (!split) records.push(paxRecord("path", Buffer.from(f.path)));
  if (Buffer.byteLength(link) > 100) records.push(paxRecord("linkpath", Buffer.from(link)));
  for (const [k, v] of Object.entries(f.xattrs ?? {})) records.push(paxRecord(`SCHILY.xattr.${k}`, v));
  const size = f.type === "file" ? f.size : 0;
  const main = ustar(
    f,
    split?.name ?? f.path.slice(-100).replace(/^[^/]*\//, ""),
    split?.prefix ?? "",
    Buffer.byteLength(link) > 100 ? "" : link,
    TYPEFLAG[f.type],
    size,
  );
  if (records.length === 0) return main;
  const pax = Buffer.concat(records);
  const base = f.path.slice(f.path.lastIndexOf("/") + 1).slice(0, 80);
  const paxHeader = ustar({ ...f, mode: 0o644 }, `PaxHeaders/${base}`, "", "", 0x78, pax.length);
  return Buffer.concat([paxHeader, pax, paddingFor(pax.length), main]);
}
