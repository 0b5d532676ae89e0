// Image references (https://github.com/distribution/reference/blob/main/normalize.go).
export {
  DEFAULT_TAG,
  DOCKER_HUB_HOST,
  DOCKER_HUB_REGISTRY,
  isNamedReference,
  parseAnyReference,
  parseDockerRef,
  parseRawReference,
  parseReference,
  type AnyReference,
  type DigestReference,
  type ImageReference,
} from "./parse-reference.js";
export { digestProblem, isDomain, isPathComponent, isTag, type RawReference } from "./grammar.js";
