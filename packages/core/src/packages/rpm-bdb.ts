/**
 * rpm's BerkeleyDB backend (Packages, RHEL/CentOS up to 8): a hash
 * database whose values are header blobs. Every page is read once, in
 * order: hash pages (type 13, older 2) hold key/value item pairs; a value
 * is an H_OFFPAGE item (type 3: overflow page number and total length)
 * because every real header is larger than a page, and its bytes follow
 * the chain of overflow pages (type 7). Layouts from Berkeley DB's
 * dbinc/db_page.h and go-rpmdb pkg/bdb. Native byte order: the metadata
 * magic 0x061561 says which.
 */
import { UnreadableDatabase } from "./owned-files.js";

const HASH_MAGIC = 0x061561;
const PAGE_HEADER = 26;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;

export function* rpmBdbBlobs(bytes: Uint8Array): Generator<Uint8Array> {
  if (bytes.length < 512) throw new UnreadableDatabase("not a BerkeleyDB hash database");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = view.getUint32(12, true) === HASH_MAGIC;
  if (!le && view.getUint32(12, false) !== HASH_MAGIC) throw new UnreadableDatabase("not a BerkeleyDB hash database");
  const u32 = (at: number): number => view.getUint32(at, le);
  const u16 = (at: number): number => view.getUint16(at, le);
  const pageSize = u32(20);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw new UnreadableDatabase("BerkeleyDB page size invalid");
  const pages = Math.floor(bytes.length / pageSize);
  const lastPage = Math.min(u32(32), pages - 1);

  const overflow = (first: number, total: number): Uint8Array => {
    if (total > bytes.length) throw new UnreadableDatabase("BerkeleyDB value larger than the file");
    const out = new Uint8Array(total);
    let filled = 0;
    let n = first;
    const seen = new Set<number>();
    while (filled < total) {
      if (n === 0 || n > lastPage || seen.has(n)) throw new UnreadableDatabase("BerkeleyDB overflow chain broken");
      seen.add(n);
      const p = n * pageSize;
      if (bytes[p + 25] !== P_OVERFLOW) throw new UnreadableDatabase("BerkeleyDB overflow chain reaches a non-overflow page");
      const used = u16(p + 22); // hf_offset: bytes of data on an overflow page
      if (used > pageSize - PAGE_HEADER || used > total - filled) throw new UnreadableDatabase("BerkeleyDB overflow page length invalid");
      out.set(bytes.subarray(p + PAGE_HEADER, p + PAGE_HEADER + used), filled);
      filled += used;
      n = u32(p + 16); // next_pgno
      if (used === 0) throw new UnreadableDatabase("BerkeleyDB empty overflow page");
    }
    return out;
  };

  for (let n = 1; n <= lastPage; n++) {
    const p = n * pageSize;
    const type = bytes[p + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = u16(p + 20);
    if (PAGE_HEADER + entries * 2 > pageSize) throw new UnreadableDatabase("BerkeleyDB hash page entry count invalid");
    // Items come in key/value pairs; the value is the odd one.
    for (let i = 1; i < entries; i += 2) {
      const off = u16(p + PAGE_HEADER + i * 2);
      if (off < PAGE_HEADER || off >= pageSize) throw new UnreadableDatabase("BerkeleyDB item offset out of its page");
      const item = p + off;
      if (bytes[item] === H_OFFPAGE) {
        if (off + 12 > pageSize) throw new UnreadableDatabase("BerkeleyDB item runs past its page");
        yield overflow(u32(item + 4), u32(item + 8));
      }
      else if (bytes[item] !== H_KEYDATA) throw new UnreadableDatabase("BerkeleyDB item of an unknown type");
      // An on-page value is not a package: rpm keeps a 4-byte instance counter under key 0, and every
      // header is larger than a page's on-page limit. A package missed this way reads as unowned (fail closed).
    }
  }
}
