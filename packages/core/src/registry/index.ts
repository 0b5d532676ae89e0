// Registry client.
export { RegistrySource, MANIFEST_ACCEPT, DEFAULT_DOWNLOAD_CONCURRENCY, type RegistryOptions, type DownloadEvent } from "./registry-source.js";
export { defaultTimeouts, MAX_REDIRECTS, type Timeouts } from "./http.js";
export { defaultRetryPolicy, parseRetryAfter, type RetryPolicy } from "./retry.js";
export { parseChallenges, pickChallenge, type Challenge } from "./auth/challenge.js";
export {
  findCredentials,
  lookupCredentials,
  DOCKER_HUB_AUTH_KEY,
  type Credential,
  type CredentialLookup,
  type CredentialLookupResult,
} from "./auth/credentials.js";
export { isPrivateHost, isLoopbackHost } from "./ssrf.js";
