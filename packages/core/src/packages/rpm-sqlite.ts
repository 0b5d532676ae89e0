/**
 * rpm's sqlite backend (rpmdb.sqlite): `CREATE TABLE Packages (hnum INTEGER
 * PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)`, one header blob per row.
 *
 * A small reader of the sqlite file format for exactly that: the schema
 * table on page 1 gives the Packages table's root page; its table b-tree
 * (interior 0x05 and leaf 0x0d pages) is walked, and each row's record is
 * decoded, following overflow pages for payloads larger than a page
 * (https://www.sqlite.org/fileformat2.html sections 1.3, 1.6, 2.1).
 * Every page is read at most once and every offset is checked: a damaged
 * or hostile file throws UnreadableDatabase, never loops.
 */
import { UnreadableDatabase } from "./owned-files.js";

const MAGIC = "SQLite format 3\0";

class Db {
  readonly pageSize: number;
  readonly usable: number;
  readonly pages: number;
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    if (bytes.length < 100 || Buffer.from(bytes.subarray(0, 16)).toString("latin1") !== MAGIC) {
      throw new UnreadableDatabase("not an sqlite database");
    }
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const raw = this.view.getUint16(16);
    this.pageSize = raw === 1 ? 65536 : raw;
    if (this.pageSize < 512 || (this.pageSize & (this.pageSize - 1)) !== 0) throw new UnreadableDatabase("sqlite page size invalid");
    this.usable = this.pageSize - bytes[20]!;
    if (this.usable < 480) throw new UnreadableDatabase("sqlite usable page size invalid");
    if (this.view.getUint32(56) !== 1) throw new UnreadableDatabase("sqlite text encoding is not UTF-8");
    this.pages = Math.floor(bytes.length / this.pageSize);
  }

  page(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > this.pages) throw new UnreadableDatabase(`sqlite page ${n} out of the file`);
    return (n - 1) * this.pageSize;
  }

}

/** A varint at `at` and its length, read no further than `end`. */
function varint(bytes: Uint8Array, at: number, end: number): [number, number] {
  let v = 0;
  for (let i = 0; i < 9; i++) {
    if (at + i >= end) throw new UnreadableDatabase("sqlite varint runs past its page");
    const b = bytes[at + i]!;
    if (i === 8) return [v * 256 + b, 9];
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) return [v, i + 1];
  }
  throw new UnreadableDatabase("sqlite varint");
}

/** Rows of the table b-tree rooted at `root`: each row's whole payload, in b-tree order. */
function* tableRows(db: Db, root: number, seen: Set<number>): Generator<Uint8Array> {
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) throw new UnreadableDatabase("sqlite b-tree page reached twice");
    seen.add(n);
    const start = db.page(n);
    const hdr = start + (n === 1 ? 100 : 0);
    const end = start + db.pageSize;
    const type = db.bytes[hdr];
    const cells = db.view.getUint16(hdr + 3);
    if (type === 0x05) {
      const children: number[] = [];
      for (let i = 0; i < cells; i++) {
        const ptr = start + db.view.getUint16(hdr + 12 + i * 2);
        if (ptr + 4 > end) throw new UnreadableDatabase("sqlite cell pointer out of its page");
        children.push(db.view.getUint32(ptr));
      }
      children.push(db.view.getUint32(hdr + 8));
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    } else if (type === 0x0d) {
      for (let i = 0; i < cells; i++) {
        const ptr = start + db.view.getUint16(hdr + 8 + i * 2);
        if (ptr >= end) throw new UnreadableDatabase("sqlite cell pointer out of its page");
        yield payload(db, ptr, end, seen);
      }
    } else {
      throw new UnreadableDatabase(`sqlite page ${n} is not a table b-tree page`);
    }
  }
}

/** A leaf cell's payload, local part plus overflow chain. */
function payload(db: Db, ptr: number, end: number, seen: Set<number>): Uint8Array {
  const [size, a] = varint(db.bytes, ptr, end);
  const [, b] = varint(db.bytes, ptr + a, end);
  const at = ptr + a + b;
  const u = db.usable;
  const x = u - 35;
  let local = size;
  if (size > x) {
    const m = Math.floor(((u - 12) * 32) / 255) - 23;
    const k = m + ((size - m) % (u - 4));
    local = k <= x ? k : m;
  }
  if (at + local > end) throw new UnreadableDatabase("sqlite cell runs past its page");
  if (local === size) return db.bytes.subarray(at, at + size);
  if (size > db.bytes.length) throw new UnreadableDatabase("sqlite payload larger than the file");
  const out = new Uint8Array(size);
  out.set(db.bytes.subarray(at, at + local), 0);
  let filled = local;
  if (at + local + 4 > end) throw new UnreadableDatabase("sqlite overflow pointer past its page");
  let next = db.view.getUint32(at + local);
  while (filled < size) {
    if (seen.has(next)) throw new UnreadableDatabase("sqlite overflow page reached twice");
    seen.add(next);
    const p = db.page(next);
    const take = Math.min(u - 4, size - filled);
    out.set(db.bytes.subarray(p + 4, p + 4 + take), filled);
    filled += take;
    next = db.view.getUint32(p);
  }
  return out;
}

type Value = null | number | Uint8Array | string;

/** A record's column values (https://www.sqlite.org/fileformat2.html#record_format). */
function record(bytes: Uint8Array): Value[] {
  const [hsize, h] = varint(bytes, 0, bytes.length);
  if (hsize > bytes.length) throw new UnreadableDatabase("sqlite record header past its payload");
  const types: number[] = [];
  for (let at = h; at < hsize; ) {
    const [t, n] = varint(bytes, at, hsize);
    types.push(t);
    at += n;
  }
  const out: Value[] = [];
  let at = hsize;
  const fixed = [0, 1, 2, 3, 4, 6, 8, 8, 0, 0];
  for (const t of types) {
    const len = t < 10 ? fixed[t]! : t >= 12 ? Math.floor((t - 12) / 2) : -1;
    if (len < 0 || at + len > bytes.length) throw new UnreadableDatabase("sqlite record value past its payload");
    const v = bytes.subarray(at, at + len);
    if (t === 0) out.push(null);
    else if (t === 8 || t === 9) out.push(t - 8);
    else if (t <= 6) out.push(signed(v));
    else if (t === 7) out.push(new DataView(v.buffer, v.byteOffset, 8).getFloat64(0));
    else if (t % 2 === 0) out.push(v);
    else out.push(Buffer.from(v).toString("utf8"));
    at += len;
  }
  return out;
}

function signed(v: Uint8Array): number {
  let n = 0;
  for (const b of v) n = n * 256 + b;
  const bits = v.length * 8;
  return v[0]! & 0x80 ? n - 2 ** bits : n;
}

/** Every blob of rpm's Packages table. */
export function* rpmSqliteBlobs(bytes: Uint8Array): Generator<Uint8Array> {
  const db = new Db(bytes);
  let root: number | undefined;
  for (const row of tableRows(db, 1, new Set())) {
    const [type, name, , rootpage] = record(row);
    if (type === "table" && name === "Packages" && typeof rootpage === "number") root = rootpage;
  }
  if (root === undefined) throw new UnreadableDatabase("sqlite database has no Packages table");
  for (const row of tableRows(db, root, new Set([1]))) {
    const cols = record(row);
    const blob = cols[1];
    if (!(blob instanceof Uint8Array)) throw new UnreadableDatabase("Packages row without a blob");
    yield blob;
  }
}
