import type { Stats } from "node:fs";
import { open as openFile, stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import type { ImageSource, Platform } from "../types.js";
import { LayerlintError } from "../errors.js";
import { defaultLimits, type Limits } from "../limits.js";
import { DirStore } from "./dir-store.js";
import { TarStore } from "./tar-store.js";
import { OciLayoutSource, type LocalOpenOptions } from "./oci-layout-source.js";
import { detectArchive, openArchive } from "./open-archive.js";
import { sniffArchive, SNIFF_BYTES } from "./archive-compression.js";
import { fifoInput, fileInput, specialKind, stdinInput } from "./input-stream.js";
import { StreamedArchiveSource } from "./streamed-source.js";
import { withPlatformCheck } from "./platform-check.js";
import { parseReference, type ImageReference } from "../reference/index.js";
import { asReferenceError, unknownTransportError } from "./input-names.js";
import { RegistrySource, type RegistryOptions } from "../registry/registry-source.js";

export interface OpenSourceOptions {
  /**
   * The image to take from a multi-platform index. Given, it is also
   * required of a single image: one of another platform is
   * PLATFORM_NOT_FOUND when its config is read (withPlatformCheck).
   */
  platform?: Platform | undefined;
  limits?: Partial<Limits> | undefined;
  /** For `docker://REF` and bare references. */
  registry?: RegistryOptions | undefined;
  /** Cancels the registry's manifest and config fetches (blobs take theirs per call). */
  signal?: AbortSignal | undefined;
  /** An input read, but not as plainly as it could be: a tag given to several images of an archive. */
  onWarning?: ((message: string) => void) | undefined;
  /**
   * Standard input, for the input `-` (also `docker-archive:-`,
   * `oci-archive:-:REF`): core never touches the process, so the CLI passes
   * `() => process.stdin`. Called only when the input is `-`.
   */
  stdin?: (() => Readable) | undefined;
}

type Transport = "oci" | "oci-archive" | "docker-archive";
const transports: readonly Transport[] = ["oci", "oci-archive", "docker-archive"];

/**
 * Turns what the user typed into an ImageSource: `oci:DIR[:REF]`,
 * `oci-archive:FILE[:REF]`, `docker-archive:FILE[:REF]` (the transports of
 * https://github.com/containers/image/blob/main/docs/containers-transports.5.md),
 * or a bare path whose kind is detected from its content; `docker://REF`
 * or a bare reference that is not a local path goes to the registry.
 *
 * `-` is standard input, as FILE too (`docker-archive:-:app:1`); it, a
 * FIFO and a compressed archive are read in one pass (streamed-source.ts);
 * an uncompressed archive file is read in place.
 */
export async function openSource(input: string, options: OpenSourceOptions = {}): Promise<ImageSource> {
  return withPlatformCheck(await open(input, options), options.platform);
}

/**
 * The local file or directory `input` names (what openSource would read),
 * or undefined for a registry input or a path that does not exist. The CLI
 * uses it to refuse writing an output over its own input.
 */
export async function localInputPath(input: string): Promise<string | undefined> {
  if (readsStdin(input)) return undefined;
  const colon = input.indexOf(":");
  const prefix = colon > 0 ? input.slice(0, colon) : "";
  if (transports.some((t) => t === prefix)) {
    const { path } = await splitPathRef(input.slice(colon + 1));
    return (await exists(path)) ? path : undefined;
  }
  if (prefix === "docker" && input.startsWith("docker://")) return undefined;
  return (await exists(input)) ? input : undefined;
}

/**
 * Whether `input` reads standard input: `-`, or `-` as the FILE of an
 * archive transport (`docker-archive:-`, `oci-archive:-:app:1`). A file
 * named `-` is `./-`, as for tar and docker load.
 */
export function readsStdin(input: string): boolean {
  return input === "-" || /^(oci-archive|docker-archive):-(:|$)/.test(input);
}

async function open(input: string, options: OpenSourceOptions): Promise<ImageSource> {
  const limits = { ...defaultLimits, ...options.limits };
  const colon = input.indexOf(":");
  const prefix = colon > 0 ? input.slice(0, colon) : "";
  const transport = transports.find((t) => t === prefix);
  const local = (ref: string | undefined): LocalOpenOptions => ({ ref, platform: options.platform, limits, onWarning: options.onWarning });
  if (input === "-") return new StreamedArchiveSource(input, stdinInput(options.stdin), undefined, local(undefined));
  if (input.startsWith("-:")) {
    // A bare path takes no REF; standard input is a FILE like any other.
    throw new LayerlintError("INVALID_INPUT", `${input}: to pick an image from standard input, name its format: docker-archive:${input} or oci-archive:${input}`);
  }
  if (transport && transport !== "oci" && readsStdin(input)) {
    const ref = input.slice(colon + 3) || undefined;
    return new StreamedArchiveSource(input, stdinInput(options.stdin), transport, local(ref));
  }
  if (transport) {
    const { path, ref } = await splitPathRef(input.slice(colon + 1));
    return openLocal(transport, path, local(ref), input);
  }
  if (prefix === "docker" && input.startsWith("docker://")) {
    return openRegistry(input.slice("docker://".length), input, options, limits);
  }
  if (await exists(input)) return openBare(input, local(undefined));
  const reference = referenceOrError(input);
  const rest = colon > 0 ? input.slice(colon + 1) : "";
  const restIsPath = rest !== "" && (looksLikePath(rest) || (await exists(rest)));
  const badTransport = unknownTransportError(input, !(reference instanceof LayerlintError), restIsPath);
  if (badTransport) throw badTransport;
  // A bare reference, unless it looks like a path (a local path of that name wins).
  // `dir/missing` whose first component exists here is a mistyped path, not a pull.
  const first = input.includes("/") ? input.slice(0, input.indexOf("/")) : undefined;
  const localParent = first !== undefined && first !== "" && (await exists(first));
  if (!looksLikePath(input) && !localParent) {
    // `debian-full` may be a file name; `ghcr.io/acme/app` cannot be, and needs no "no file" in its errors.
    const couldBeFile = !namesRegistry(input);
    if (reference instanceof LayerlintError) throw couldBeFile ? asReferenceError(input, undefined, reference) : reference;
    return openRegistry(input, input, options, limits, couldBeFile);
  }
  throw new LayerlintError(
    "NOT_FOUND",
    `${input}: no such file or directory (expected oci:DIR, oci-archive:FILE, docker-archive:FILE or a path)`,
  );
}

/** `bare`: the input named no file and is read as a reference; its errors say so (asReferenceError). */
function openRegistry(ref: string, description: string, options: OpenSourceOptions, limits: Limits, bare = false): ImageSource {
  return new RegistrySource(description, parseReference(ref), {
    platform: options.platform,
    limits,
    registry: options.registry,
    signal: options.signal,
    ...(bare ? { explainFailure: (e: LayerlintError, reference: string) => asReferenceError(ref, reference, e) } : {}),
  });
}

/** `./x`, `/x`, `~/x`, `x.tar`, `x.tar.zst`: meant as a file, so a missing one is "no such file", not a pull. */
function looksLikePath(input: string): boolean {
  return /^(\.{1,2}|~)?\//.test(input) || input.includes("\\") || /\.(tar|tgz|tar\.(gz|zst|xz|bz2)|tzst|txz|tbz2?|oci|json)$/i.test(input);
}

/** Whether the input starts with a registry host (`ghcr.io/…`, `localhost:5000/…`), as docker's splitDockerDomain tells one. */
function namesRegistry(input: string): boolean {
  const slash = input.indexOf("/");
  if (slash < 0) return false;
  const first = input.slice(0, slash);
  return first === "localhost" || /[.:]/.test(first);
}

/** The parsed reference, or the parser's error (its reason goes into the message). */
function referenceOrError(input: string): ImageReference | LayerlintError {
  try {
    return parseReference(input);
  } catch (e) {
    if (e instanceof LayerlintError) return e;
    throw e;
  }
}

async function openLocal(
  transport: Transport,
  path: string,
  opts: LocalOpenOptions,
  description: string,
): Promise<ImageSource> {
  const info = await statOrThrow(path);
  if (transport === "oci") {
    if (!info.isDirectory()) throw new LayerlintError("INVALID_INPUT", `${path}: oci: expects a directory`);
    return new OciLayoutSource("oci-layout", description, new DirStore(path), opts);
  }
  if (info.isFIFO()) return new StreamedArchiveSource(description, await fifoInput(path), transport, opts);
  if (!info.isFile()) throw new LayerlintError("INVALID_INPUT", `${path}: ${transport}: expects a tar file`);
  if (await compressedFile(path)) return new StreamedArchiveSource(description, fileInput(path), transport, opts);
  return openArchive(transport, await TarStore.open(path), opts, description);
}

/**
 * A bare path: an OCI layout dir, or an archive that holds oci-layout
 * (preferred, as containerd's ImportIndex does) or manifest.json
 * (open-archive.ts detectArchive); a pipe or a compressed archive is
 * detected the same way once it has been read.
 */
async function openBare(path: string, opts: LocalOpenOptions): Promise<ImageSource> {
  const info = await statOrThrow(path);
  if (info.isDirectory()) {
    if (await new DirStore(path).has("oci-layout")) return new OciLayoutSource("oci-layout", path, new DirStore(path), opts);
    throw new LayerlintError("INVALID_INPUT", `${path}: directory is not an OCI layout (no oci-layout file)`);
  }
  if (info.isFIFO()) return new StreamedArchiveSource(path, await fifoInput(path), undefined, opts);
  if (await compressedFile(path)) return new StreamedArchiveSource(path, fileInput(path), undefined, opts);
  const store = await TarStore.open(path);
  const transport = await detectArchive(store, path).catch(async (e: unknown) => {
    await store.close();
    throw e;
  });
  return openArchive(transport, store, opts, path);
}

/** A regular file that starts like a compressed archive (gzip, zstd, xz, bzip2), not a tar. */
async function compressedFile(path: string): Promise<boolean> {
  const fh = await openFile(path, "r");
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await fh.read(head, 0, SNIFF_BYTES, 0);
    return sniffArchive(head.subarray(0, bytesRead)) !== "none";
  } finally {
    await fh.close();
  }
}

/**
 * `PATH[:REF]`, where REF may itself hold colons (`app:1.0`) and a path
 * may too: the longest leading part that exists on disk is the path.
 */
async function splitPathRef(rest: string): Promise<{ path: string; ref: string | undefined }> {
  if (await exists(rest)) return { path: rest, ref: undefined };
  for (let i = rest.lastIndexOf(":"); i > 0; i = rest.lastIndexOf(":", i - 1)) {
    if (await exists(rest.slice(0, i))) return { path: rest.slice(0, i), ref: rest.slice(i + 1) || undefined };
  }
  return { path: rest, ref: undefined };
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

async function statOrThrow(p: string): Promise<Stats> {
  let info: Stats;
  try {
    info = await stat(p);
  } catch {
    throw new LayerlintError("NOT_FOUND", `${p}: no such file or directory`);
  }
  refuseSpecial(p, info);
  return info;
}

/**
 * Inputs are regular files, directories and FIFOs (read without waiting for
 * a writer: input-stream.ts), checked before anything opens them: a device
 * or a socket is no image. (stat follows symlinks, so a link to one is
 * refused too, and `/dev/stdin` is whatever standard input is.)
 */
function refuseSpecial(p: string, info: Stats): void {
  const kind = specialKind(info);
  if (kind) {
    throw new LayerlintError("INVALID_INPUT", `${p}: is ${kind}, not a file, directory or pipe (expected an image archive or an OCI layout directory)`);
  }
}
