import { Readable } from "node:stream";
import { LayerlintError } from "../errors.js";
import type { BlobStore } from "./blob-store.js";
import type { HeldMember, PassedMember, WalkedMember } from "./archive-pass.js";
import { resolveMember, type MemberLink } from "./member-links.js";

/**
 * What openBlob gives for a member of a streamed archive: the member as the
 * pass left it. A held member's bytes can be read from it; a walked one was
 * read as it streamed past and cannot be read again: the loader takes its
 * walk instead (load-streamed.ts).
 */
export class PassedBlob extends Readable {
  constructor(
    readonly member: HeldMember | WalkedMember,
    private readonly what: string,
  ) {
    super();
  }

  override _read(): void {
    if (this.member.kind === "held") {
      this.push(this.member.bytes);
      this.push(null);
    } else {
      this.destroy(new LayerlintError("INVALID_INPUT", `${this.what}: read once as it streamed past; it cannot be read again`));
    }
  }
}

/**
 * The members of a streamed archive after its one pass (archive-pass.ts),
 * as a BlobStore: the documents it held are read as TarStore reads them in
 * place, with the same link rules and messages, so the OCI layout and
 * docker save readers choose the image exactly as they do for a file.
 */
export class PassedStore implements BlobStore {
  constructor(
    readonly location: string,
    readonly members: ReadonlyMap<string, PassedMember>,
  ) {}

  private member(rel: string): HeldMember | WalkedMember | undefined {
    const m = resolveMember(this.members, linkOf, rel, this.location);
    return m === undefined || m.kind === "link" ? undefined : m;
  }

  async has(rel: string): Promise<boolean> {
    return this.member(rel) !== undefined;
  }

  async size(rel: string): Promise<number | undefined> {
    return this.member(rel)?.size;
  }

  async readSmall(rel: string, max: number): Promise<Buffer> {
    const m = this.member(rel);
    if (!m) throw new LayerlintError("NOT_FOUND", `${this.location}: ${rel} not found in archive`);
    if (m.size > max) {
      throw new LayerlintError("LIMIT_EXCEEDED", `${this.location}: ${rel} is ${m.size} bytes, over the ${max}-byte limit`);
    }
    // Only something that began like a layer (a tar header, compressed) was walked instead of held.
    if (m.kind !== "held") throw new LayerlintError("MANIFEST_INVALID", `${this.location}: ${rel} is not a JSON document (it reads as a tar or compressed stream)`);
    return Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
  }

  async stream(rel: string): Promise<Readable> {
    const m = this.member(rel);
    if (!m) throw new LayerlintError("NOT_FOUND", `${this.location}: ${rel} not found in archive`);
    return new PassedBlob(m, `${this.location}: ${rel}`);
  }

  async close(): Promise<void> {}
}

function linkOf(m: PassedMember): MemberLink {
  return m.kind === "link" ? { kind: m.type, linkname: m.linkname } : { kind: "file", linkname: "" };
}
