/**
 * An rpm header blob, the value every rpm database stores per package
 * (sqlite, BerkeleyDB and NDB alike): big-endian `il` (entry count), `dl`
 * (data length), `il` 16-byte entries {tag, type, offset, count}, then `dl`
 * bytes of data (https://rpm-software-management.github.io/rpm/manual/format_header.html,
 * and go-rpmdb's pkg/entry.go hdrblobInit). Only the tags that say which
 * files a package installed are read: NAME, BASENAMES, DIRNAMES,
 * DIRINDEXES (or OLDFILENAMES for very old packages), FILEMODES,
 * FILEDIGESTS and FILEDIGESTALGO.
 */
import { hexDigest, UnreadableDatabase, type FileDigestAlgo, type PackageFiles } from "./owned-files.js";

const TAG_NAME = 1000;
const TAG_OLDFILENAMES = 1027;
const TAG_FILEMODES = 1030;
const TAG_FILEDIGESTS = 1035;
const TAG_DIRINDEXES = 1116;
const TAG_BASENAMES = 1117;
const TAG_DIRNAMES = 1118;
const TAG_FILEDIGESTALGO = 5011;

const TYPE_INT16 = 3;
const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;

/** rpm's own bounds (lib/header.c hdrchkTags / hdrchkData). */
const MAX_ENTRIES = 0xffff;
const MAX_DATA = 256 * 1024 * 1024;

/** FILEDIGESTALGO values are OpenPGP hash ids (RFC 4880 9.4); a header without the tag uses MD5. */
const ALGOS: Readonly<Record<number, FileDigestAlgo>> = { 1: "md5", 2: "sha1", 8: "sha256" };

interface Entry {
  type: number;
  offset: number;
  count: number;
}

function strings(data: Uint8Array, e: Entry): string[] {
  const out: string[] = [];
  let at = e.offset;
  for (let i = 0; i < e.count; i++) {
    const end = data.indexOf(0, at);
    if (end < 0) throw new UnreadableDatabase("rpm header string runs past its data");
    out.push(Buffer.from(data.buffer, data.byteOffset + at, end - at).toString("utf8"));
    at = end + 1;
  }
  return out;
}

function int32s(view: DataView, base: number, dl: number, e: Entry): number[] {
  if (e.offset % 4 !== 0 || e.offset + e.count * 4 > dl) throw new UnreadableDatabase("rpm header int32 array out of bounds");
  const out: number[] = [];
  for (let i = 0; i < e.count; i++) out.push(view.getInt32(base + e.offset + i * 4));
  return out;
}

/** The package name and the files it lists (absolute paths, with digests when the header has them). */
export function parseRpmHeader(blob: Uint8Array): PackageFiles {
  if (blob.length < 8) throw new UnreadableDatabase("rpm header shorter than its 8-byte preamble");
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const il = view.getUint32(0);
  const dl = view.getUint32(4);
  if (il === 0 || il > MAX_ENTRIES || dl > MAX_DATA) throw new UnreadableDatabase("rpm header counts out of range");
  const base = 8 + il * 16;
  if (base + dl > blob.length) throw new UnreadableDatabase("rpm header longer than its blob");
  const data = blob.subarray(base, base + dl);
  const entries = new Map<number, Entry>();
  for (let i = 0; i < il; i++) {
    const at = 8 + i * 16;
    const tag = view.getInt32(at);
    const e = { type: view.getUint32(at + 4), offset: view.getInt32(at + 8), count: view.getUint32(at + 12) };
    if (e.offset < 0 || e.offset > dl || e.count > dl) throw new UnreadableDatabase("rpm header entry out of bounds");
    entries.set(tag, e);
  }
  const get = (tag: number, type: number): Entry | undefined => {
    const e = entries.get(tag);
    return e !== undefined && e.type === type ? e : undefined;
  };
  const nameEntry = get(TAG_NAME, TYPE_STRING);
  if (nameEntry === undefined) throw new UnreadableDatabase("rpm header without a NAME");
  const name = strings(data, { ...nameEntry, count: 1 })[0]!;

  let paths: string[] = [];
  const bn = get(TAG_BASENAMES, TYPE_STRING_ARRAY);
  const dn = get(TAG_DIRNAMES, TYPE_STRING_ARRAY);
  const di = get(TAG_DIRINDEXES, TYPE_INT32);
  if (bn !== undefined && dn !== undefined && di !== undefined) {
    const basenames = strings(data, bn);
    const dirnames = strings(data, dn);
    const indexes = int32s(view, base, dl, di);
    if (indexes.length !== basenames.length) throw new UnreadableDatabase("rpm header DIRINDEXES and BASENAMES differ in length");
    paths = basenames.map((b, i) => {
      const dir = dirnames[indexes[i]!];
      if (dir === undefined) throw new UnreadableDatabase("rpm header DIRINDEXES points past DIRNAMES");
      return dir + b;
    });
  } else {
    const old = get(TAG_OLDFILENAMES, TYPE_STRING_ARRAY);
    if (old !== undefined) paths = strings(data, old);
  }

  const algoEntry = get(TAG_FILEDIGESTALGO, TYPE_INT32);
  const algo: FileDigestAlgo | undefined = algoEntry === undefined ? "md5" : ALGOS[int32s(view, base, dl, { ...algoEntry, count: 1 })[0]!];
  const me = get(TAG_FILEMODES, TYPE_INT16);
  const modes: number[] = [];
  if (me !== undefined) {
    if (me.offset % 2 !== 0 || me.offset + me.count * 2 > dl) throw new UnreadableDatabase("rpm header FILEMODES out of bounds");
    for (let i = 0; i < me.count; i++) modes.push(view.getUint16(base + me.offset + i * 2));
  }
  const de = get(TAG_FILEDIGESTS, TYPE_STRING_ARRAY);
  const digests = de === undefined ? [] : strings(data, de);
  return {
    name,
    files: paths.map((p, i) => ({
      path: p,
      mode: modes[i] === undefined ? undefined : modes[i]! & 0o7777,
      digest: digests[i] === undefined || digests[i] === "" ? undefined : algo === undefined ? "unread" : (hexDigest(algo, digests[i]!) ?? "unread"),
    })),
  };
}
