/**
 * Pending meta headers (PAX `x`/`g`, GNU `L`/`K`) and how they apply to the
 * next real entry. Shared by the streaming walker and the file indexer so the
 * rules live in one place (SPECS.md §7).
 */
import { LayerlintError } from "../errors.js";
import { FLAG_GNU_LONGLINK, FLAG_GNU_LONGNAME, FLAG_PAX_GLOBAL, FLAG_PAX_LOCAL } from "./header-block.js";
import { applyPax, mergePax, parsePax, type PaxInfo } from "./pax.js";
import type { TarHeader } from "./tar-header.js";

export const DEFAULT_MAX_META_BYTES = 1 << 20;

const utf8 = new TextDecoder("utf-8");

function metaName(flag: number): string {
  switch (flag) {
    case FLAG_PAX_LOCAL: return "pax header";
    case FLAG_PAX_GLOBAL: return "pax global header";
    case FLAG_GNU_LONGNAME: return "GNU long name";
    default: return "GNU long link";
  }
}

export class MetaState {
  private global: PaxInfo | undefined;
  private local: PaxInfo | undefined;
  private longName: string | undefined;
  private longLink: string | undefined;
  /** Bytes of x/L/K since the last entry, and of all g headers: both capped. */
  private pendingBytes = 0;
  private globalBytes = 0;
  /** Kind of the first pending x/L/K header, for the "meta header then EOF" error. */
  private pendingFlag = 0;

  constructor(private readonly maxBytes: number = DEFAULT_MAX_META_BYTES) {}

  /** True while an x/L/K header waits for its entry. */
  get pending(): boolean {
    return this.pendingFlag !== 0;
  }

  /** Call with the header's size before buffering its payload. */
  admit(flag: number, size: number, at: number): void {
    const used = flag === FLAG_PAX_GLOBAL ? this.globalBytes : this.pendingBytes;
    if (size > this.maxBytes - used) {
      throw new LayerlintError(
        "LIMIT_EXCEEDED",
        `tar ${metaName(flag)} at offset ${at} is ${size} bytes, over the ${this.maxBytes}-byte limit for meta records`,
      );
    }
    if (flag === FLAG_PAX_GLOBAL) this.globalBytes += size;
    else this.pendingBytes += size;
  }

  /** Records a meta header's payload (exactly `size` bytes, owned by us). */
  add(flag: number, payload: Uint8Array): void {
    switch (flag) {
      case FLAG_PAX_GLOBAL:
        // POSIX: a global header applies to every following entry.
        this.global = mergePax(this.global, parsePax(payload));
        return;
      case FLAG_PAX_LOCAL:
        this.local = mergePax(this.local, parsePax(payload));
        break;
      case FLAG_GNU_LONGNAME:
        this.longName = cString(payload);
        break;
      default:
        this.longLink = cString(payload);
        break;
    }
    if (this.pendingFlag === 0) this.pendingFlag = flag;
  }

  /** Describes what is pending, for "meta header with no entry" errors. */
  describePending(): string {
    return metaName(this.pendingFlag);
  }

  /**
   * Applies global then local PAX records, then GNU long name/link (the order
   * of Go's archive/tar, which applies layers in containerd and moby), and
   * clears the per-entry state.
   */
  apply(h: TarHeader): void {
    if (this.pendingFlag === 0) {
      if (this.global) applyPax(h, this.global);
      return;
    }
    const pax = this.local ? mergePax(this.global, this.local) : this.global;
    if (pax) applyPax(h, pax);
    if (this.longName !== undefined) h.name = this.longName;
    if (this.longLink !== undefined) h.linkname = this.longLink;
    this.local = this.longName = this.longLink = undefined;
    this.pendingFlag = 0;
    this.pendingBytes = 0;
  }
}

/** GNU L/K payloads are NUL-terminated (and may be NUL-padded). */
function cString(b: Uint8Array): string {
  let end = b.indexOf(0);
  if (end < 0) end = b.length;
  return utf8.decode(b.subarray(0, end));
}
