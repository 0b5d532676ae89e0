/**
 * Image reference parsing with Docker CLI normalisation (https://github.com/distribution/reference/blob/main/normalize.go).
 * `parseReference` follows distribution/reference ParseNormalizedNamed,
 * `parseDockerRef` follows ParseDockerRef and `parseAnyReference` follows
 * ParseAnyReference. Deliberate difference: sha512 digests are accepted
 * (https://github.com/opencontainers/image-spec/blob/main/descriptor.md#registered-algorithms);
 * see reference.conformance.test.ts.
 */
import { LayerlintError } from "../errors.js";
import { digestProblem, isHex64, parseRawParts, type RawReference } from "./grammar.js";

/** Canonical Docker Hub domain; `index.docker.io` is rewritten to it. */
export const DOCKER_HUB_REGISTRY = "docker.io";
const LEGACY_DOCKER_HUB = "index.docker.io";
/** The host actually contacted for Docker Hub (containerd DefaultHost, oras Host()). */
export const DOCKER_HUB_HOST = "registry-1.docker.io";
const OFFICIAL_PREFIX = "library/";
export const DEFAULT_TAG = "latest";

export interface ImageReference {
  /** Domain as written, `docker.io` for Docker Hub. May carry a port or `[IPv6]`. */
  readonly registry: string;
  /** Path inside the registry: `library/nginx`. */
  readonly repository: string;
  readonly tag?: string | undefined;
  /** `sha256:…` or `sha512:…`. When both tag and digest are set, pull by digest. */
  readonly digest?: string | undefined;
  /** Host to contact: `registry-1.docker.io` for `docker.io`, else `registry`. */
  readonly host: string;
  /** `registry/repository`, e.g. `docker.io/library/nginx`. */
  readonly name: string;
  /** Fully qualified: `docker.io/library/nginx:1.25[@sha256:…]`. */
  toString(): string;
  /** `name@digest`, dropping any tag. Throws INVALID_REFERENCE on a bad digest. */
  pinned(digest: string): string;
}

/** ParseAnyReference's other result: a bare digest with no name. */
export interface DigestReference {
  readonly digest: string;
  toString(): string;
}

export type AnyReference = ImageReference | DigestReference;

export function isNamedReference(r: AnyReference): r is ImageReference {
  return "repository" in r;
}

function invalid(input: string, reason: string): LayerlintError {
  const shown = input.length > 300 ? `${input.slice(0, 300)}…` : input;
  return new LayerlintError("INVALID_REFERENCE", `invalid reference ${JSON.stringify(shown)}: ${reason}`);
}

class NamedReference implements ImageReference {
  readonly host: string;
  readonly name: string;
  constructor(
    readonly registry: string,
    readonly repository: string,
    readonly tag: string | undefined,
    readonly digest: string | undefined,
  ) {
    this.host = registry === DOCKER_HUB_REGISTRY ? DOCKER_HUB_HOST : registry;
    this.name = `${registry}/${repository}`;
  }

  toString(): string {
    return `${this.name}${this.tag !== undefined ? `:${this.tag}` : ""}${this.digest !== undefined ? `@${this.digest}` : ""}`;
  }

  pinned(digest: string): string {
    const problem = digestProblem(digest);
    if (problem) throw invalid(`${this.name}@${digest}`, problem);
    return `${this.name}@${digest}`;
  }
}

class BareDigest implements DigestReference {
  constructor(readonly digest: string) {}
  toString(): string {
    return this.digest;
  }
}

/**
 * Docker CLI domain detection, splitDockerDomain in
 * https://github.com/distribution/reference/blob/main/normalize.go:
 * no "/" → Docker Hub official image; first part `localhost`, or containing
 * "." or ":", or uppercase → a domain; `index.docker.io` → `docker.io`.
 */
function splitDockerDomain(input: string): [domain: string, remainder: string] {
  const slash = input.indexOf("/");
  if (slash < 0) return [DOCKER_HUB_REGISTRY, OFFICIAL_PREFIX + input];
  const first = input.slice(0, slash);
  let domain: string;
  let remainder = input.slice(slash + 1);
  if (first === LEGACY_DOCKER_HUB) domain = DOCKER_HUB_REGISTRY;
  else if (first === "localhost" || /[.:]/.test(first) || first.toLowerCase() !== first) domain = first;
  else [domain, remainder] = [DOCKER_HUB_REGISTRY, input];
  if (domain === DOCKER_HUB_REGISTRY && !remainder.includes("/")) remainder = OFFICIAL_PREFIX + remainder;
  return [domain, remainder];
}

function fromRaw(input: string, raw: RawReference | string): RawReference {
  if (typeof raw === "string") throw invalid(input, raw);
  return raw;
}

/** Mirrors distribution/reference `Parse`: grammar only, no normalisation, domain "" when absent. */
export function parseRawReference(input: string): RawReference {
  return fromRaw(input, parseRawParts(input));
}

/**
 * Why, and the fix: the grammar's path-component is lowercase only
 * (https://github.com/distribution/reference/blob/main/reference.go,
 * `path-component := alpha-numeric (separator alpha-numeric)*`,
 * `alpha-numeric := /[a-z0-9]+/`); a tag may keep its case.
 */
function lowercaseHint(input: string): string {
  const slash = input.lastIndexOf("/");
  const at = input.indexOf("@");
  const colon = input.indexOf(":", slash + 1);
  const end = Math.min(at < 0 ? input.length : at, colon < 0 ? input.length : colon);
  const fixed = `${input.slice(0, end).toLowerCase()}${input.slice(end)}`;
  let valid = false;
  try {
    parseReference(fixed);
    valid = true;
  } catch {
    // no lowercase form parses: give the rule alone
  }
  const rule = "; the reference grammar allows only a-z, 0-9 and the separators . _ __ - in a repository path";
  return valid ? `${rule} (did you mean ${JSON.stringify(fixed)}?)` : rule;
}

/**
 * Parses user input the way `docker pull` does (ParseNormalizedNamed).
 * Tag and digest are both kept when both are given.
 */
export function parseReference(input: string): ImageReference {
  if (input === "") throw invalid(input, "empty reference");
  if (isHex64(input)) throw invalid(input, "cannot specify 64-byte hexadecimal strings");
  if (input.startsWith("[") && !input.includes("/")) {
    throw invalid(input, "a registry host needs a repository path (host/name)");
  }
  const [domain, remainder] = splitDockerDomain(input);
  const colon = remainder.indexOf(":");
  const remoteName = colon < 0 ? remainder : remainder.slice(0, colon);
  if (remoteName.toLowerCase() !== remoteName) {
    throw invalid(input, `repository name ${JSON.stringify(remoteName)} must be lowercase${lowercaseHint(input)}`);
  }
  const raw = fromRaw(input, parseRawParts(`${domain}/${remainder}`));
  // Go would return an empty Domain() here (e.g. `foo_bar.com/x`); a reference
  // we cannot contact is useless to us, so we reject it instead.
  if (raw.domain === "") throw invalid(input, `invalid registry host ${JSON.stringify(domain)}`);
  return new NamedReference(raw.domain, raw.path, raw.tag, raw.digest);
}

/**
 * ParseDockerRef: like parseReference, but a digest drops the tag, and a
 * name with neither gets the `latest` tag (ParseDockerRef).
 */
export function parseDockerRef(input: string): ImageReference {
  const r = parseReference(input);
  if (r.digest !== undefined) return new NamedReference(r.registry, r.repository, undefined, r.digest);
  return new NamedReference(r.registry, r.repository, r.tag ?? DEFAULT_TAG, undefined);
}

/**
 * ParseAnyReference: 64 lowercase hex alone is `sha256:<hex>`; a bare valid
 * digest is a DigestReference; anything else goes through parseReference.
 */
export function parseAnyReference(input: string): AnyReference {
  if (isHex64(input)) return new BareDigest(`sha256:${input}`);
  if (digestProblem(input) === undefined) return new BareDigest(input);
  return parseReference(input);
}
