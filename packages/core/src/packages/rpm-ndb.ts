/**
 * rpm's NDB backend (Packages.db, SUSE): little-endian. A 32-byte header
 * ("RpmP", version, generation, slot page count) shares the first of the
 * 4 KiB slot pages, whose 16-byte slots ("Slot", package index, block
 * offset, block count) point at blobs in 16-byte blocks: "BlbS", package
 * index, checksum, length, then the header blob
 * (rpm lib/backend/ndb/rpmpkg.c; go-rpmdb pkg/ndb/ndb.go).
 */
import { UnreadableDatabase } from "./owned-files.js";

const HEADER_MAGIC = 0x506d7052; // "RpmP"
const SLOT_MAGIC = 0x746f6c53; // "Slot"
const BLOB_MAGIC = 0x53626c42; // "BlbS"
const PAGE = 4096;
const SLOT = 16;
const BLOCK = 16;

export function* rpmNdbBlobs(bytes: Uint8Array): Generator<Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 32 || view.getUint32(0, true) !== HEADER_MAGIC) throw new UnreadableDatabase("not an rpm NDB database");
  const slotPages = view.getUint32(12, true);
  if (slotPages === 0 || slotPages * PAGE > bytes.length) throw new UnreadableDatabase("NDB slot pages past the file");
  // The header takes the first two slots of page 0.
  for (let at = 2 * SLOT; at < slotPages * PAGE; at += SLOT) {
    if (view.getUint32(at, true) !== SLOT_MAGIC) throw new UnreadableDatabase("NDB slot without its magic");
    const pkgIndex = view.getUint32(at + 4, true);
    if (pkgIndex === 0) continue; // a free slot
    const offset = view.getUint32(at + 8, true) * BLOCK;
    const blocks = view.getUint32(at + 12, true);
    if (offset + 16 > bytes.length || offset + blocks * BLOCK > bytes.length) throw new UnreadableDatabase("NDB blob past the file");
    if (view.getUint32(offset, true) !== BLOB_MAGIC || view.getUint32(offset + 4, true) !== pkgIndex) {
      throw new UnreadableDatabase("NDB blob header does not match its slot");
    }
    const len = view.getUint32(offset + 12, true);
    if (16 + len > blocks * BLOCK) throw new UnreadableDatabase("NDB blob longer than its blocks");
    yield bytes.subarray(offset + 16, offset + 16 + len);
  }
}
