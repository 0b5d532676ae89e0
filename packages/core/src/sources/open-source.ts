import type { Stats } from "node:fs";
import { stat } from "node:fs/promises";
import type { ImageSource, Platform } from "../types.js";
import { LayerlintError } from "../errors.js";
import { defaultLimits, type Limits } from "../limits.js";
import { DirStore } from "./dir-store.js";
import { TarStore } from "./tar-store.js";
import { OciLayoutSource, type LocalOpenOptions } from "./oci-layout-source.js";
import { openArchive } from "./open-archive.js";
import { withPlatformCheck } from "./platform-check.js";
import { parseReference } from "../reference/index.js";
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
}

type Transport = "oci" | "oci-archive" | "docker-archive";
const transports: readonly Transport[] = ["oci", "oci-archive", "docker-archive"];

/**
 * Turns what the user typed into an ImageSource: `oci:DIR[:REF]`,
 * `oci-archive:FILE[:REF]`, `docker-archive:FILE[:REF]` (the transports of
 * https://github.com/containers/image/blob/main/docs/containers-transports.5.md),
 * or a bare path whose kind is detected from its content; `docker://REF`
 * or a bare reference that is not a local path goes to the registry.
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
  const colon = input.indexOf(":");
  const prefix = colon > 0 ? input.slice(0, colon) : "";
  if (transports.some((t) => t === prefix)) {
    const { path } = await splitPathRef(input.slice(colon + 1));
    return (await exists(path)) ? path : undefined;
  }
  if (prefix === "docker" && input.startsWith("docker://")) return undefined;
  return (await exists(input)) ? input : undefined;
}

async function open(input: string, options: OpenSourceOptions): Promise<ImageSource> {
  const limits = { ...defaultLimits, ...options.limits };
  const colon = input.indexOf(":");
  const prefix = colon > 0 ? input.slice(0, colon) : "";
  const transport = transports.find((t) => t === prefix);
  if (transport) {
    const { path, ref } = await splitPathRef(input.slice(colon + 1));
    return openLocal(transport, path, { ref, platform: options.platform, limits, onWarning: options.onWarning }, input);
  }
  if (prefix === "docker" && input.startsWith("docker://")) {
    return openRegistry(input.slice("docker://".length), input, options, limits);
  }
  if (await exists(input)) {
    const found = await detect(input);
    return openLocal(found.transport, input, { platform: options.platform, limits, onWarning: options.onWarning }, input, found.store);
  }
  // A bare reference, unless it looks like a path (a local path of that name wins).
  // `dir/missing` whose first component exists here is a mistyped path, not a pull.
  const first = input.includes("/") ? input.slice(0, input.indexOf("/")) : undefined;
  const localParent = first !== undefined && first !== "" && (await exists(first));
  if (!looksLikePath(input) && !localParent && isReference(input)) return openRegistry(input, input, options, limits);
  throw new LayerlintError(
    "NOT_FOUND",
    `${input}: no such file or directory (expected oci:DIR, oci-archive:FILE, docker-archive:FILE or a path)`,
  );
}

function openRegistry(ref: string, description: string, options: OpenSourceOptions, limits: Limits): ImageSource {
  return new RegistrySource(description, parseReference(ref), {
    platform: options.platform,
    limits,
    registry: options.registry,
    signal: options.signal,
  });
}

/** `./x`, `/x`, `~/x`, `x.tar`: meant as a file, so a missing one is "no such file", not a pull. */
function looksLikePath(input: string): boolean {
  return /^(\.{1,2}|~)?\//.test(input) || input.includes("\\") || /\.(tar|tgz|tar\.gz|oci|json)$/i.test(input);
}

function isReference(input: string): boolean {
  try {
    parseReference(input);
    return true;
  } catch {
    return false;
  }
}

async function openLocal(
  transport: Transport,
  path: string,
  opts: LocalOpenOptions,
  description: string,
  /** The outer tar already indexed by detect(), so it is read only once. */
  indexed?: TarStore,
): Promise<ImageSource> {
  const info = await statOrThrow(path);
  if (transport === "oci") {
    if (!info.isDirectory()) throw new LayerlintError("INVALID_INPUT", `${path}: oci: expects a directory`);
    return new OciLayoutSource("oci-layout", description, new DirStore(path), opts);
  }
  if (!info.isFile()) throw new LayerlintError("INVALID_INPUT", `${path}: ${transport}: expects a tar file`);
  const store = indexed ?? (await TarStore.open(path));
  return openArchive(transport, store, opts, description);
}

/**
 * A bare path: an OCI layout dir, or a tar that holds oci-layout (preferred,
 * as containerd's ImportIndex does:
 * https://github.com/containerd/containerd/blob/v1.6.20/images/archive/importer.go)
 * or manifest.json.
 */
async function detect(path: string): Promise<{ transport: Transport; store?: TarStore }> {
  const info = await statOrThrow(path);
  if (info.isDirectory()) {
    if (await new DirStore(path).has("oci-layout")) return { transport: "oci" };
    throw new LayerlintError("INVALID_INPUT", `${path}: directory is not an OCI layout (no oci-layout file)`);
  }
  const store = await TarStore.open(path);
  if (await store.has("oci-layout")) return { transport: "oci-archive", store };
  if (await store.has("manifest.json")) return { transport: "docker-archive", store };
  throw new LayerlintError("ARCHIVE_INVALID", `${path}: tar holds neither an OCI layout nor a docker save manifest.json`);
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
 * Inputs are regular files and directories, checked before anything opens
 * them: opening a FIFO blocks until a writer comes, forever if none does,
 * and a device or socket is no image. (stat follows symlinks, so a link to
 * one is refused too.)
 */
function refuseSpecial(p: string, info: Stats): void {
  const kind = info.isFIFO()
    ? "a FIFO"
    : info.isCharacterDevice()
      ? "a character device"
      : info.isBlockDevice()
        ? "a block device"
        : info.isSocket()
          ? "a socket"
          : undefined;
  if (kind) {
    throw new LayerlintError("INVALID_INPUT", `${p}: is ${kind}, not a file or directory (expected an image archive or an OCI layout directory)`);
  }
}
