/**
 * How an input that names nothing on disk was read, said in its error.
 * An input is a transport (`oci:DIR`), a path, or an image reference; a
 * bare word that is no file is tried as a reference, and when that fails
 * too the message must say both readings, or a typo in a file name reads
 * as a registry failure and a typo in a transport as a pull of a Docker Hub
 * image called `oci-arhive`.
 */
import { LayerlintError } from "../errors.js";
import { isTag } from "../reference/index.js";

/** Transports read here (https://github.com/containers/image/blob/main/docs/containers-transports.5.md). */
export const SUPPORTED_TRANSPORTS = ["oci", "oci-archive", "docker-archive", "docker"] as const;

/** Transports of containers-transports(5) that are not read here: named as such, never pulled as `dir:latest`. */
const OTHER_TRANSPORTS = ["dir", "docker-daemon", "containers-storage", "ostree", "sif"] as const;

const EXPECTED = "expected oci:DIR, oci-archive:FILE, docker-archive:FILE, docker://REF, a path or an image reference";

/** Edit distance (Levenshtein), for names a few characters long. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** The supported transport `prefix` is a typo of (at most 2 edits, and fewer than its length), if any. */
function closeTransport(prefix: string): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of SUPPORTED_TRANSPORTS) {
    const d = distance(prefix.toLowerCase(), name);
    if (d <= 2 && d < Math.min(prefix.length, name.length) && (best === undefined || d < best.d)) best = { name, d };
  }
  return best?.name;
}

const shown = (t: string) => (t === "docker" ? "docker://" : `${t}:`);

/**
 * The error for `prefix:rest` when `prefix` is a transport name that is not
 * read here, or undefined when the input is better read another way.
 * `asReference`: whether the whole input parses as an image reference
 * (`nginx:1.25` does: a name and a tag); `restIsPath`: whether what follows
 * the colon exists or looks like a file (`demo.tar`, `./x`).
 *
 * A typo of a hyphenated transport (`oci-arhive:`) or one of the other
 * hyphenated containers-transports is always one: no image is called that.
 * A typo of `oci`/`docker`, or `dir:`, `sif:`, `ostree:`, is one when the
 * rest is a path (or `//…`), since `ocii:1.0` may be a name and a tag.
 * Any other prefix is one only when the colon cannot start a tag.
 */
export function unknownTransportError(input: string, asReference: boolean, restIsPath: boolean): LayerlintError | undefined {
  const colon = input.indexOf(":");
  if (colon <= 0) return undefined;
  const prefix = input.slice(0, colon);
  // One letter is a drive (`C:\images\app.tar`), not a transport.
  if (!/^[A-Za-z][A-Za-z0-9-]+$/.test(prefix) || (SUPPORTED_TRANSPORTS as readonly string[]).includes(prefix)) return undefined;
  const rest = input.slice(colon + 1);
  const close = closeTransport(prefix);
  const other = (OTHER_TRANSPORTS as readonly string[]).includes(prefix);
  const strong = (close?.includes("-") ?? false) || (other && prefix.includes("-"));
  const weak = close !== undefined || other;
  const transport = !asReference ? weak || !isTag(rest) : strong || (weak && (restIsPath || rest.startsWith("//")));
  if (!transport) return undefined;
  if (other) {
    return new LayerlintError(
      "INVALID_INPUT",
      `${JSON.stringify(input)}: transport "${prefix}:" is not supported; copy the image to an archive first (skopeo copy ${prefix}:… oci-archive:FILE); ${EXPECTED}`,
    );
  }
  const hint = close !== undefined ? ` (did you mean ${shown(close)}?)` : "";
  return new LayerlintError("INVALID_INPUT", `${JSON.stringify(input)}: unknown transport "${prefix}:"${hint}; ${EXPECTED}`);
}

/**
 * A bare input that is no file, read as an image reference that then
 * failed: `no file "debian-full"; as an image reference: docker.io/library/debian-full:latest: manifest: not found`.
 * `reference` is the normalised reference, or undefined when the input
 * did not parse as one (the message is then the parser's reason).
 */
export function asReferenceError(input: string, reference: string | undefined, e: LayerlintError): LayerlintError {
  const said = reference !== undefined && e.message.startsWith(`${reference}: `) ? e.message.slice(reference.length + 2) : e.message;
  const as = reference === undefined ? said : `${reference}: ${said}`;
  return new LayerlintError(e.code, `no file ${JSON.stringify(input)}; as an image reference: ${as}`, { cause: e });
}
