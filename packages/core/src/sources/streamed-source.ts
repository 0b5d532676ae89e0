import { addAbortSignal, type Readable } from "node:stream";
import type { Descriptor, ImageConfig, ImageManifest, ImageSource, SourceKind } from "../types.js";
import { CHUNK, gather } from "../compression.js";
import { DecoderBudget } from "../decoder-budget.js";
import { isLayerlintError, LayerlintError } from "../errors.js";
import { passArchive, type PassedMember, type PassOptions } from "./archive-pass.js";
import { decompressArchive, sniffArchive, SNIFF_BYTES } from "./archive-compression.js";
import { detectArchive, openArchive, type ArchiveTransport } from "./open-archive.js";
import { noData, type InputStream } from "./input-stream.js";
import type { LocalOpenOptions } from "./oci-layout-source.js";
import { PassedStore } from "./passed-store.js";
import { readAhead } from "./read-ahead.js";

/**
 * A docker save or OCI archive that cannot be read by offset: standard
 * input (`-`), a pipe or FIFO, or a compressed archive (gzip, zstd, xz).
 * It is read once, front to back (archive-pass.ts), by pass(): loadImage
 * calls it with the scan's content captures, so each layer is walked as it
 * streams past. Then the image is chosen from the documents the pass held,
 * by the same readers as for an archive read in place. Nothing is written
 * to disk, so there is nothing to clean up after an error or a signal.
 */
export class StreamedArchiveSource implements ImageSource {
  private inner: ImageSource | undefined;
  private passed: Promise<ReadonlyMap<string, PassedMember>> | undefined;
  private withContent = false;

  constructor(
    readonly description: string,
    private readonly input: InputStream,
    private readonly transport: ArchiveTransport | undefined,
    private readonly opts: LocalOpenOptions,
  ) {}

  get kind(): SourceKind {
    return this.inner?.kind ?? this.transport ?? "docker-archive";
  }

  /**
   * Reads the archive, once: later calls return the first pass's members.
   * `content`: the captures a scan wants while layers stream (loadImage).
   */
  pass(o: Omit<PassOptions, "limits"> & { content?: boolean } = { decoders: new DecoderBudget(this.opts.limits.maxDecoderBytes) }): Promise<ReadonlyMap<string, PassedMember>> {
    if (this.passed !== undefined) {
      if (o.content === true && !this.withContent) {
        // A programming error, not bad input: the layers have streamed past without the scan's captures.
        throw new Error(`${this.input.name}: the archive was already read without content captures; call loadImage before manifest()`);
      }
      return this.passed;
    }
    this.withContent = o.content === true;
    this.passed = this.read(o);
    return this.passed;
  }

  private async read(o: Omit<PassOptions, "limits">): Promise<ReadonlyMap<string, PassedMember>> {
    const name = this.input.name;
    const raw = inputChunks(this.input, o.signal);
    const it = raw[Symbol.asyncIterator]();
    const head: Uint8Array[] = [];
    let headBytes = 0;
    while (headBytes < SNIFF_BYTES) {
      const r = await it.next();
      if (r.done) break;
      head.push(r.value);
      headBytes += r.value.length;
    }
    if (headBytes === 0) throw noData(name);
    const first = Buffer.concat(head);
    const kind = sniffArchive(first);
    async function* all(): AsyncGenerator<Uint8Array> {
      yield first;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    }
    // Its own decoder budget: a layer's decoder must never wait for the archive's, which waits for that layer.
    const outer = new DecoderBudget(this.opts.limits.maxDecoderBytes, o.signal).account();
    let members: Map<string, PassedMember>;
    try {
      // Decoders hand out pieces of their own sizes (xz: 64 KiB); the input is already joined (readAhead).
      const tar = kind === "none" ? all() : gather(decompressArchive(all(), kind, name, outer), CHUNK);
      members = await passArchive(tar, name, { ...o, limits: this.opts.limits });
    } catch (e) {
      if (isLayerlintError(e) && e.code === "TAR_INVALID") throw new LayerlintError("ARCHIVE_INVALID", `${name}: ${e.message}`, { cause: e });
      if (isLayerlintError(e) && e.code === "LIMIT_EXCEEDED" && !e.message.startsWith(name)) {
        throw new LayerlintError("LIMIT_EXCEEDED", `${name}: ${e.message}`, { cause: e });
      }
      throw e;
    } finally {
      outer.release();
    }
    const store = new PassedStore(name, members);
    const transport = this.transport ?? (await detectArchive(store, name));
    this.inner = await openArchive(transport, store, this.opts, this.description);
    return members;
  }

  private async image(): Promise<ImageSource> {
    await this.pass();
    return this.inner!;
  }

  async manifest(): Promise<ImageManifest> {
    return (await this.image()).manifest();
  }

  async config(): Promise<ImageConfig> {
    return (await this.image()).config();
  }

  /** A PassedBlob: the member as the pass left it (load-streamed.ts). */
  async openBlob(d: Descriptor, signal?: AbortSignal): Promise<Readable> {
    return (await this.image()).openBlob(d, signal);
  }

  async close(): Promise<void> {
    this.input.rest.destroy();
  }
}

/** A source read in one pass: its layers cannot be read a second time (no second look). */
export function readsOnce(source: ImageSource): source is StreamedArchiveSource {
  return source instanceof StreamedArchiveSource;
}

/** Bytes the input is read ahead of the scan (read-ahead.ts). */
const READ_AHEAD = 8 * 1024 * 1024;

/** The input's bytes; an abort destroys the stream, which closes its file or pipe. */
async function* inputChunks(input: InputStream, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  if (input.first.length > 0) yield input.first;
  if (signal !== undefined) addAbortSignal(signal, input.rest);
  try {
    yield* readAhead(input.rest, READ_AHEAD, CHUNK);
  } catch (e) {
    if (signal?.aborted || isLayerlintError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new LayerlintError("INVALID_INPUT", `${input.name}: read failed: ${code ?? (e as Error).message}`, { cause: e });
  }
}
