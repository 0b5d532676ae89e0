import { LayerlintError } from "../errors.js";
import { DEFAULT_TAG, DOCKER_HUB_REGISTRY, digestProblem, parseReference } from "../reference/index.js";

/**
 * What a `:REF` names, read as docker reads an image argument (resolveImage
 * in https://github.com/moby/moby/blob/master/daemon/containerd/image.go):
 * - a name, normalised as `docker pull` normalises it, so `app`,
 *   `app:latest`, `library/app:latest`, `docker.io/library/app:latest` and
 *   `index.docker.io/library/app:latest` are one name
 *   (https://github.com/distribution/reference/blob/main/normalize.go);
 * - a digest, `sha256:<64 hex>` or the 64 hex digits alone (ParseAnyReference);
 * - `NAME@DIGEST`: the digest, found under that repository only;
 * - a short ID, 4 to 64 lowercase hex digits with an optional `sha256:`
 *   (checkTruncatedID), tried only when no name matches, as docker does.
 */
export interface ImageQuery {
  readonly raw: string;
  /** `docker.io/library/app:latest`, when REF reads as a name. */
  readonly name?: string | undefined;
  readonly digest?: string | undefined;
  /** For NAME@DIGEST: `docker.io/library/app`. */
  readonly repository?: string | undefined;
  /** The hex digits a sha256 digest must begin with. */
  readonly idPrefix?: string | undefined;
}

const FULL_ID = /^(?:sha256:)?([a-f0-9]{64})$/;
/** moby's checkTruncatedID: `^(sha256:)?([a-f0-9]{4,64})$`. */
const SHORT_ID = /^(?:sha256:)?([a-f0-9]{4,64})$/;
/** Digests are listed by at least this many hex digits, as `docker images` shows IDs. */
const SHOWN_HEX = 12;

export function parseImageQuery(raw: string): ImageQuery {
  const full = FULL_ID.exec(raw);
  if (full) return { raw, digest: `sha256:${full[1]}` };
  if (digestProblem(raw) === undefined) return { raw, digest: raw };
  let name: string | undefined;
  let digest: string | undefined;
  let repository: string | undefined;
  try {
    const r = parseReference(raw);
    if (r.digest !== undefined) {
      digest = r.digest;
      repository = r.name;
    } else {
      name = `${r.name}:${r.tag ?? DEFAULT_TAG}`;
    }
  } catch {
    // Not a reference: only a literal name or a short ID can match.
  }
  const short = digest === undefined ? SHORT_ID.exec(raw)?.[1] : undefined;
  return { raw, name, digest, repository, idPrefix: short };
}

/** `docker.io/library/app:latest` for `app`, or undefined when `s` is no name:tag reference. */
export function normalizedName(s: string): string | undefined {
  try {
    const r = parseReference(s);
    return r.digest === undefined ? `${r.name}:${r.tag ?? DEFAULT_TAG}` : undefined;
  } catch {
    return undefined;
  }
}

/** The repository of a name (`docker.io/library/app`), or undefined. */
function repositoryOf(s: string): string | undefined {
  try {
    return parseReference(s).name;
  } catch {
    return undefined;
  }
}

/**
 * How docker prints a name (reference.FamiliarString): `app:1` for
 * `docker.io/library/app:1`, `org/app:1` for `docker.io/org/app:1`; other
 * registries in full. A string that is no reference is returned as it is.
 */
export function familiarName(s: string): string {
  try {
    const r = parseReference(s);
    let path = r.name;
    if (r.registry === DOCKER_HUB_REGISTRY) {
      path = r.repository.startsWith("library/") && r.repository.indexOf("/", "library/".length) < 0 ? r.repository.slice("library/".length) : r.repository;
    }
    return `${path}${r.tag !== undefined ? `:${r.tag}` : ""}${r.digest !== undefined ? `@${r.digest}` : ""}`;
  } catch {
    return s;
  }
}

/** Whether one of `names` is the name the query gives: as written, or after normalisation. */
export function matchesName(q: ImageQuery, names: readonly string[]): boolean {
  return names.some((n) => n === q.raw || (q.name !== undefined && normalizedName(n) === q.name));
}

/**
 * The items a query selects: by name first; when no name matches, by
 * digest (under the repository NAME@DIGEST gives) or by a short ID, which
 * must begin the digest of one image only ("ambiguous reference" in moby).
 * `digestOf` is only called when no name matches.
 */
export function selectByQuery<T>(
  items: readonly T[],
  q: ImageQuery,
  namesOf: (t: T) => readonly string[],
  digestOf: (t: T) => string,
  location: string,
): T[] {
  const byName = items.filter((t) => matchesName(q, namesOf(t)));
  if (byName.length > 0 || (q.digest === undefined && q.idPrefix === undefined)) return byName;
  if (q.digest !== undefined) {
    const repo = q.repository;
    return items.filter((t) => digestOf(t) === q.digest && (repo === undefined || namesOf(t).some((n) => repositoryOf(n) === repo)));
  }
  const hits = items.filter((t) => digestOf(t).startsWith(`sha256:${q.idPrefix}`));
  const distinct = [...new Set(hits.map(digestOf))];
  if (distinct.length > 1) {
    throw new LayerlintError("AMBIGUOUS_IMAGE", `${location}: "${q.raw}" is ambiguous; it begins ${distinct.length} image digests: ${shortIds(distinct).join(", ")}`);
  }
  return hits;
}

/** For a "no image named" error: why a hex REF was not taken as an ID. */
export function idHint(raw: string): string {
  return /^(?:sha256:)?[a-f0-9]{1,3}$/.test(raw) ? " (an image ID prefix takes at least 4 hex digits)" : "";
}

/**
 * Digests as the shortest prefixes, of at least 12 hex digits, that tell
 * them apart (`sha256:ab12cd34ef56`): each one can be passed back as
 * `:REF` (a short ID). Digests of other algorithms are shown whole.
 */
export function shortIds(digests: readonly string[]): string[] {
  const hexes = digests.filter((d) => d.startsWith("sha256:")).map((d) => d.slice("sha256:".length));
  return digests.map((d) => {
    if (!d.startsWith("sha256:")) return d;
    const hex = d.slice("sha256:".length);
    let n = SHOWN_HEX;
    while (n < hex.length && hexes.some((o) => o !== hex && o.startsWith(hex.slice(0, n)))) n++;
    return `sha256:${hex.slice(0, n)}`;
  });
}
