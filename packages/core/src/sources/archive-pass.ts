/**
 * The one pass over a streamed archive (a pipe, a compressed docker save or
 * OCI archive). Members arrive in archive order and the document that says
 * which of them are the image's layers (manifest.json, index.json) usually
 * comes last: `docker save` writes manifest.json after the layers
 * (https://github.com/moby/moby/blob/v20.10.24/image/tarexport/save.go).
 * Nothing can be read twice and nothing is spilled to disk, so each member
 * is handled as it passes:
 *
 * - small members that are not layers (JSON documents: manifests, indexes,
 *   configs, oci-layout; legacy `json` and `VERSION` files) are held in
 *   memory, at most Limits.maxConfigBytes each and HELD_BYTES together;
 * - every other regular member is walked speculatively as a layer: its
 *   stored bytes hashed (the digest its blob path names, sha256 otherwise),
 *   decompressed by magic bytes, hashed again (the diff_id a config lists)
 *   and walked by the same tar walker as any layer, with the same content
 *   captures. Only the metadata is kept (LayerIndex), never the bytes. A
 *   walk that fails keeps its error: it matters only if the member turns
 *   out to be a layer of the chosen image (load-streamed.ts verifies every
 *   digest then, and drops the walks of members it does not use);
 * - symlinks and hardlinks are kept as names, resolved when the documents
 *   name them (legacy docker save links a repeated layer to its first copy).
 */
import { createHash } from "node:crypto";
import { CHUNK, sniffCompression, decompress, type Compression } from "../compression.js";
import type { CaptureBudget } from "../capture-budget.js";
import type { DecoderBudget } from "../decoder-budget.js";
import { LayerlintError } from "../errors.js";
import type { LayerIndex } from "../layer-index.js";
import type { Limits } from "../limits.js";
import { formatSize } from "../policy/size.js";
import { digestHexLength } from "../reference/grammar.js";
import type { ScanActivity } from "../scan-activity.js";
import { checkBlock } from "../tar/header-block.js";
import { walkLayer, type ContentScan, type WantsContent } from "../walk-layer.js";
import { estimateGzip, type GzipEstimate } from "../layer-sizes.js";
import { ArchiveMembers, type ArchiveMember } from "./archive-members.js";
import { SNIFF_BYTES } from "./archive-compression.js";

export interface HeldMember {
  kind: "held";
  size: number;
  bytes: Uint8Array;
}

export interface WalkedMember {
  kind: "walked";
  size: number;
  /** Digest of the stored bytes, with the algorithm its blob path names (sha256 otherwise). */
  digest: string;
  /** sha256 of the bytes after decompression. */
  diffId: string;
  compression: Compression | undefined;
  /** gzip -6 size of a member stored uncompressed, when PassOptions.estimateCompressedSize asked for it. */
  estimatedSize: number | undefined;
  /** The walk, at layer position 0 until it is placed; undefined when it failed. */
  index: LayerIndex | undefined;
  error: unknown;
  /** What the walk left in the scan's capture budget, given back if the member is dropped. */
  retained: number;
  refused: number;
  refusedPaths: string[];
}

export interface LinkMember {
  kind: "link";
  type: "symlink" | "hardlink";
  linkname: string;
  size: 0;
}

export type PassedMember = HeldMember | WalkedMember | LinkMember;

/** Held members together (documents and other small files): far above any real archive's. */
export const HELD_BYTES = 64 * 1024 * 1024;

export interface PassOptions {
  limits: Limits;
  wantsContent?: WantsContent | undefined;
  scanContent?: ContentScan | undefined;
  capture?: CaptureBudget | undefined;
  /** The scan's decoder budget: a zstd layer reserves its window here. */
  decoders: DecoderBudget;
  /** Estimate the compressed size of members stored uncompressed (LoadOptions.estimateCompressedSize). */
  estimateCompressedSize?: boolean | undefined;
  signal?: AbortSignal | undefined;
  activity?: ScanActivity | undefined;
}

/** Reads every member of the archive `tar` (its uncompressed bytes) once. `name` names the input in errors. */
export async function passArchive(tar: AsyncIterable<Uint8Array>, name: string, o: PassOptions): Promise<Map<string, PassedMember>> {
  const label = name === "-" ? "standard input" : name;
  const members = new ArchiveMembers(tar);
  const passed = new Map<string, PassedMember>();
  const holdMax = Math.max(o.limits.maxManifestBytes, o.limits.maxConfigBytes);
  let held = 0;
  for (let m = await members.next(); m !== undefined; m = await members.next()) {
    o.signal?.throwIfAborted();
    o.activity?.now(`reading ${label}: ${formatSize(members.offset)} of the archive read`);
    let member: PassedMember | undefined;
    if (m.type === "symlink" || m.type === "hardlink") member = { kind: "link", type: m.type, linkname: m.linkname, size: 0 };
    else if (m.type === "file") {
      const head = await members.readExact(Math.min(m.size, SNIFF_BYTES));
      if (m.size <= holdMax && !looksLikeLayer(head)) {
        held += m.size;
        if (held > HELD_BYTES) {
          throw new LayerlintError("LIMIT_EXCEEDED", `${name}: small members that are not layers take more than ${HELD_BYTES / 1024 / 1024} MiB together`);
        }
        const rest = await members.readExact(m.size - head.length);
        member = { kind: "held", size: m.size, bytes: rest.length === 0 ? head : Buffer.concat([head, rest]) };
      } else {
        member = await walkMember(members, m, head, label, o);
      }
    }
    if (member === undefined) continue;
    // A later duplicate wins, as when the archive is extracted.
    const before = passed.get(m.name);
    if (before?.kind === "walked") dropWalk(before, o.capture);
    if (before?.kind === "held") held -= before.size;
    passed.set(m.name, member);
  }
  return passed;
}

/** A layer by its first bytes: compressed, or a tar header. Anything else small is held. */
function looksLikeLayer(head: Uint8Array): boolean {
  return sniffCompression(head) !== "none" || (head.length === SNIFF_BYTES && checkBlock(head, 0) === 1);
}

/** `blobs/<alg>/<hex>` names the digest of an OCI blob; anything else is hashed with sha256. */
function storedAlgorithm(name: string): string {
  const m = /^blobs\/([a-z0-9]+)\/[0-9a-f]+$/.exec(name);
  return m !== null && digestHexLength(m[1]!) !== undefined ? m[1]! : "sha256";
}

/** Gives back what a walk holds in the capture budget: its member is not a layer of the image. */
export function dropWalk(w: WalkedMember, capture: CaptureBudget | undefined): void {
  capture?.release(w.retained, w.refused, w.refusedPaths);
  w.retained = w.refused = 0;
  w.refusedPaths = [];
  w.index = undefined;
}

async function walkMember(members: ArchiveMembers, m: ArchiveMember, head: Uint8Array, label: string, o: PassOptions): Promise<WalkedMember> {
  const alg = storedAlgorithm(m.name);
  const stored = createHash(alg);
  let first: Uint8Array | undefined = head.length > 0 ? head : undefined;
  // An error of the archive itself (cut short, unreadable): fatal, never the member's.
  let fatal: unknown;
  let read = 0;
  const piece = async (): Promise<Uint8Array | undefined> => {
    o.signal?.throwIfAborted();
    let p: Uint8Array | undefined;
    if (first !== undefined) {
      p = first;
      first = undefined;
    } else {
      try {
        p = await members.read(CHUNK);
      } catch (e) {
        fatal ??= e;
        throw e;
      }
    }
    if (p !== undefined) {
      stored.update(p);
      read += p.length;
      // Every 16 MiB, for the message of a deadline.
      if ((read & 0xffffff) < p.length) o.activity?.now(`reading ${label}: ${formatSize(members.offset)} of the archive read`);
    }
    return p;
  };
  // Decoders may ask for the next piece before the last one is delivered (a
  // zstd stream reads ahead); pieces are handed out one at a time, in order.
  let chain: Promise<unknown> = Promise.resolve();
  const next = (): Promise<Uint8Array | undefined> => {
    const r = chain.then(piece);
    chain = r.catch(() => {});
    return r;
  };
  const body: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: async (): Promise<IteratorResult<Uint8Array>> => {
        const p = await next();
        return p === undefined ? { done: true, value: undefined } : { done: false, value: p };
      },
    }),
  };
  let compression: Compression | undefined;
  const diff = createHash("sha256");
  // Stored uncompressed and named by sha256: its diff_id is its digest.
  let same = false;
  async function* hashed(src: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const c of src) {
      if (!same) diff.update(c);
      yield c;
    }
  }
  const capture = o.capture;
  const before = { retained: capture?.retained ?? 0, refused: capture?.refused ?? 0, paths: capture?.refusedPaths.length ?? 0 };
  const account = o.decoders.account();
  let index: LayerIndex | undefined;
  let error: unknown;
  let estimate: GzipEstimate | undefined;
  try {
    const plain = decompress(body, (k) => ((compression = k), (same = k === "none" && alg === "sha256")), false, account);
    estimate = o.estimateCompressedSize ? estimateGzip(plain, () => compression === "none") : undefined;
    index = await walkLayer(hashed(estimate?.chunks ?? plain), 0, o.wantsContent, o.scanContent, capture);
  } catch (e) {
    error = e;
  } finally {
    account.release();
  }
  if (fatal !== undefined) throw fatal;
  o.signal?.throwIfAborted();
  // The rest, if the walk stopped early: the stored digest covers every byte.
  await chain;
  while ((await next()) !== undefined);
  const digest = `${alg}:${stored.digest("hex")}`;
  const walked: WalkedMember = {
    kind: "walked",
    size: m.size,
    digest,
    diffId: same ? digest : `sha256:${diff.digest("hex")}`,
    compression,
    estimatedSize: estimate?.size(),
    index,
    error,
    retained: (capture?.retained ?? 0) - before.retained,
    refused: (capture?.refused ?? 0) - before.refused,
    refusedPaths: capture?.refusedPaths.slice(before.paths) ?? [],
  };
  if (error !== undefined) dropWalk(walked, capture);
  return walked;
}
