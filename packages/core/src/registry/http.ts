import type { Agent } from "undici";
import { lazyModule } from "../lazy-module.js";
import type { IncomingHttpHeaders } from "node:http";
import { LayerlintError, isLayerlintError } from "../errors.js";
import { isLoopbackHost, checkRemoteUrl } from "./ssrf.js";
import { errorCodes, isRetryableError, isRetryableStatus, parseRetryAfter, retryDelay, sleep, type RetryPolicy } from "./retry.js";
import { parseChallenges, pickChallenge, type Challenge } from "./auth/challenge.js";
import { MAX_TOKEN_BODY, TokenCache, oauthForm, parseTokenResponse, tokenQuery, type TokenResponse } from "./auth/token.js";
import type { CredentialLookupResult } from "./auth/credentials.js";
import { discardBody, sendRequest, type ResponseBody } from "./response.js";

const undici = lazyModule<typeof import("undici")>("undici");

/**
 * Time limits per request (README "Registry"). undici's own three are idle
 * timeouts, and a server that sends one byte at a time resets the body's on
 * every byte (and a stream of 1xx answers resets the headers'). So every
 * request also has a total deadline that drip-feeding cannot move.
 */
export interface Timeouts {
  /** TCP + TLS connect (undici). */
  connectMs: number;
  /** From request sent to response headers (undici). */
  headersMs: number;
  /** Longest silence between two body chunks (undici). */
  bodyMs: number;
  /**
   * Total time for one request, from sending it to the end of its body:
   * the whole of a ping, token, manifest, config or error response, and a
   * blob's response up to its headers. Per attempt and per redirect hop;
   * past it the request fails, not retried (a server that slow once is
   * slow again). 60 s: manifests and configs are at most a few MiB.
   */
  documentMs: number;
  /**
   * A blob's body instead must keep moving: at least blobMinBytes in every
   * blobWindowMs of download time, time the scan holds the stream back (a
   * busy walk, a layer waiting for decoder memory) not counted. A total
   * deadline would have to scale with the blob's size, and a rate measured
   * since the start lets a fast start pay for a long drip; a rate per
   * window can be met only by sending the blob at that rate, so a transfer
   * takes at most about size / rate. 1 MiB per 30 s (35 kB/s) is below any
   * usable link, yet bounds a 100 MB layer to under an hour; the scan's
   * overall `timeout` bounds it tighter.
   */
  blobWindowMs: number;
  blobMinBytes: number;
}

export const defaultTimeouts: Timeouts = {
  connectMs: 10_000,
  headersMs: 30_000,
  bodyMs: 60_000,
  documentMs: 60_000,
  blobWindowMs: 30_000,
  blobMinBytes: 1024 * 1024,
};

/** Redirect hops followed by hand for one request. */
export const MAX_REDIRECTS = 5;

export interface RegistryHttpOptions {
  /** Plain http for this registry (`--plain-http`). */
  plainHttp: boolean;
  /** Skip TLS certificate checks (`--insecure`). */
  insecure: boolean;
  retry: RetryPolicy;
  timeouts: Timeouts;
  userAgent: string;
  /** Resolved lazily, only when the registry asks for authentication; `source` names where they came from in errors. */
  credentials: () => Promise<CredentialLookupResult>;
  onWarning?: ((message: string) => void) | undefined;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: ResponseBody;
  /** Where the response finally came from, after redirects. */
  url: URL;
  /** An Authorization header went with the request. */
  authorized?: boolean | undefined;
  /**
   * The body is a blob, to be streamed: lifts the total deadline
   * (Timeouts.documentMs), which otherwise runs until the body is read.
   * BlobReader's rate rule takes over.
   */
  stream(): void;
}

export interface GetInit {
  accept?: string | undefined;
  /** Resume offset: sends `Range: bytes=N-`. */
  rangeFrom?: number | undefined;
  signal?: AbortSignal | undefined;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Reads a body up to `max` bytes; over that is LIMIT_EXCEEDED. */
export async function readCapped(body: HttpResponse["body"], max: number, what: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of body as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > max) {
      body.destroy();
      throw new LayerlintError("LIMIT_EXCEEDED", `${what} is over the ${max}-byte limit`);
    }
    parts.push(c);
  }
  return Buffer.concat(parts);
}

/**
 * One registry's HTTP side: scheme choice, ping, auth (Bearer tokens per
 * scope, Basic), retries with backoff, and redirects followed by hand so
 * Authorization never leaves the registry's origin, as containerd's
 * resolver does:
 * https://github.com/containerd/containerd/blob/main/core/remotes/docker/resolver.go
 */
export class RegistryHttp {
  private readonly agent: Agent;
  private readonly strictAgent: Agent;
  private base?: URL;
  private ready?: Promise<void>;
  private challenge?: Challenge | undefined;
  private readonly tokens = new TokenCache();
  private tokenInFlight?: Promise<string> | undefined;
  private readonly warned = new Set<string>();
  readonly scope: string;

  constructor(
    /** As the user wrote it (`127.0.0.1:5000`, `docker.io`): names the registry in messages. */
    readonly registry: string,
    /** Host actually contacted (`registry-1.docker.io` for Docker Hub). */
    readonly host: string,
    repository: string,
    private readonly opts: RegistryHttpOptions,
  ) {
    this.scope = `repository:${repository}:pull`;
    const { Agent } = undici();
    const agent = (verify: boolean) =>
      new Agent({
        connect: { rejectUnauthorized: verify, timeout: opts.timeouts.connectMs },
        headersTimeout: opts.timeouts.headersMs,
        bodyTimeout: opts.timeouts.bodyMs,
      });
    this.agent = agent(!opts.insecure);
    // --insecure is for the reference's registry only: token realms and
    // redirect targets on other hosts keep certificate checks.
    this.strictAgent = opts.insecure ? agent(true) : this.agent;
  }

  async close(): Promise<void> {
    await this.agent.destroy().catch(() => {});
    if (this.strictAgent !== this.agent) await this.strictAgent.destroy().catch(() => {});
  }

  /**
   * `reg: authentication failed (401): the registry rejected the credentials
   * from --password-stdin`, or `…: no credentials sent; none found for reg
   * (looked in …)`: which source was tried, and whether the refusal was of
   * credentials sent or of none. Never the credential itself.
   */
  async authFailed(status: number, sent: boolean, by: "registry" | "token server" = "registry"): Promise<LayerlintError> {
    // No challenge, nothing sent: the credential stores stay unread (a helper is run only when a registry asks).
    if (!sent && this.challenge === undefined) {
      return new LayerlintError("AUTH_FAILED", `${this.registry}: authentication failed (${status}): no credentials sent: the registry refused without a WWW-Authenticate challenge to answer`);
    }
    const { credential, source } = await this.opts.credentials();
    const why = !credential
      ? `no credentials sent; ${source}`
      : sent
        ? `the ${by} ${status === 403 ? "denied access with" : "rejected"} the credentials from ${source}`
        : `no credentials sent: those from ${source} do not answer its ${this.challenge!.scheme} challenge`;
    return new LayerlintError("AUTH_FAILED", `${this.registry}: authentication failed (${status}): ${why}`);
  }

  /** A failed request or body read as one line, `PREFIX: detail`, timeouts named with their limit. */
  networkError(e: unknown, prefix: string = this.registry): LayerlintError {
    if (isLayerlintError(e)) return e;
    if ((e as { name?: string })?.name === "AbortError") return new LayerlintError("ABORTED", "scan aborted", { cause: e });
    return new LayerlintError("NETWORK_ERROR", `${prefix}: ${describeNetworkError(e, this.opts.timeouts)}`, { cause: e });
  }

  /**
   * One request, under the total deadline (Timeouts.documentMs) until its
   * body closes or the caller calls stream(). Past the deadline the request
   * or its body fails with a NETWORK_ERROR naming the limit; the caller's
   * signal aborts it as before.
   */
  private async send(
    method: "GET" | "POST",
    url: URL,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    body?: string,
  ): Promise<HttpResponse> {
    const limit = new AbortController();
    const onAbort = () => limit.abort(signal!.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    const ms = this.opts.timeouts.documentMs;
    const timer = setTimeout(() => limit.abort(this.deadlineError(method, url, ms)), ms);
    timer.unref();
    const unlink = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    let res: Awaited<ReturnType<typeof sendRequest>>;
    try {
      res = await sendRequest(url.host === this.host ? this.agent : this.strictAgent, url, {
        method,
        headers: { "user-agent": this.opts.userAgent, ...headers },
        body,
        signal: limit.signal,
      });
    } catch (e) {
      unlink();
      throw e;
    }
    res.body.once("close", unlink);
    const warning = header(res.headers, "warning");
    if (warning && /^299\s/.test(warning) && !this.warned.has(warning) && this.opts.onWarning) {
      this.warned.add(warning);
      this.opts.onWarning(`${this.registry}: ${warning.replace(/^299\s+\S+\s+/, "").replace(/^"|"$/g, "")}`);
    }
    return { status: res.status, headers: res.headers, body: res.body, url, stream: () => clearTimeout(timer) };
  }

  private deadlineError(method: string, url: URL, ms: number): LayerlintError {
    const target = url.host === this.host ? url.pathname : `${url.origin}${url.pathname}`;
    return new LayerlintError("NETWORK_ERROR", `${this.registry}: ${method} ${target}: no complete response within ${ms / 1000} s`);
  }

  /** Runs `fn` again on 408/429/5xx and connection resets, with backoff (retry.ts). */
  private async withRetries(fn: () => Promise<HttpResponse>, signal: AbortSignal | undefined, attempts = this.opts.retry.attempts): Promise<HttpResponse> {
    for (let attempt = 1; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await fn();
      } catch (e) {
        if (isLayerlintError(e) || signal?.aborted || !isRetryableError(e) || attempt >= attempts) throw this.networkError(e);
        await sleep(retryDelay(this.opts.retry, attempt), signal);
        continue;
      }
      if (isRetryableStatus(res.status) && attempt < attempts) {
        const after = parseRetryAfter(header(res.headers, "retry-after"));
        await discardBody(res.body);
        await sleep(retryDelay(this.opts.retry, attempt, after), signal);
        continue;
      }
      return res;
    }
  }

  /**
   * `GET /v2/` once per source: picks the scheme and learns the auth
   * challenge. https unless `--plain-http`; loopback hosts fall back to
   * http when https cannot connect, as docker does
   * (https://github.com/moby/moby/blob/master/registry/config.go, isSecureIndex), but not
   * when a TLS server answers with a certificate we do not trust.
   */
  private ensureReady(signal: AbortSignal | undefined): Promise<void> {
    this.ready ??= this.ping(signal);
    return this.ready;
  }

  private async ping(signal: AbortSignal | undefined): Promise<void> {
    const hostname = new URL(`http://${this.host}`).hostname;
    const schemes = this.opts.plainHttp ? ["http"] : isLoopbackHost(hostname) ? ["https", "http"] : ["https"];
    for (let i = 0; i < schemes.length; i++) {
      const base = new URL(`${schemes[i]}://${this.host}`);
      const last = i === schemes.length - 1;
      let res: HttpResponse;
      try {
        // The https probe of a loopback registry is tried once: failing it only means "try http".
        res = await this.withRetries(() => this.send("GET", new URL("/v2/", base), {}, signal), signal, last ? undefined : 1);
      } catch (e) {
        // A certificate we do not trust means a TLS server is there: say so, rather than try http.
        const tlsServer = isCertificateError((e as LayerlintError).cause);
        if (!last && !signal?.aborted && !tlsServer && (e as LayerlintError).code === "NETWORK_ERROR") continue;
        throw e;
      }
      this.base = base;
      const challenges = parseChallenges(res.headers["www-authenticate"]);
      await discardBody(res.body);
      if (res.status === 401) this.challenge = pickChallenge(challenges);
      else if (res.status >= 500) throw new LayerlintError("REGISTRY_ERROR", `${this.registry}: GET /v2/ answered HTTP ${res.status}`);
      return;
    }
  }

  /** GET a registry path: auth, retries, and redirects followed by hand. */
  async get(path: string, init: GetInit = {}): Promise<HttpResponse> {
    await this.ensureReady(init.signal);
    const url = new URL(path, this.base);
    let res = await this.withRetries(() => this.follow(url, init), init.signal);
    if (res.status === 401 && res.url.origin === this.base!.origin) {
      // A token may have expired early, or /v2/ was open while this repository is not:
      // take the fresh challenge and try once more.
      const fresh = pickChallenge(parseChallenges(res.headers["www-authenticate"]));
      await discardBody(res.body);
      if (fresh) this.challenge = fresh;
      this.tokens.delete(this.scope);
      res = await this.withRetries(() => this.follow(url, init), init.signal);
    }
    if ((res.status === 401 || res.status === 403) && res.url.origin === this.base!.origin) {
      await discardBody(res.body);
      throw await this.authFailed(res.status, res.authorized === true);
    }
    return res;
  }

  private async follow(start: URL, init: GetInit): Promise<HttpResponse> {
    let url = start;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = {};
      if (init.accept) headers.accept = init.accept;
      if (init.rangeFrom) headers.range = `bytes=${init.rangeFrom}-`;
      // Authorization goes to the registry's own origin only (distribution-spec "API").
      if (url.origin === this.base!.origin) {
        const auth = await this.authorization(init.signal);
        if (auth) headers.authorization = auth;
      }
      const res = await this.send("GET", url, headers, init.signal);
      if (!REDIRECTS.has(res.status)) return { ...res, url, authorized: headers.authorization !== undefined };
      const location = header(res.headers, "location");
      await discardBody(res.body);
      if (!location) throw new LayerlintError("REGISTRY_ERROR", `${this.registry}: redirect without a Location`);
      if (hop >= MAX_REDIRECTS) throw new LayerlintError("REGISTRY_ERROR", `${this.registry}: too many redirects (more than ${MAX_REDIRECTS})`);
      const next = new URL(location, url);
      if (next.origin !== this.base!.origin) checkRemoteUrl(next, this.base!, "redirect", this.registry);
      url = next;
    }
  }

  /** The Authorization value for the registry's origin, if its challenge needs one. */
  private async authorization(signal: AbortSignal | undefined): Promise<string | undefined> {
    const ch = this.challenge;
    if (!ch) return undefined;
    const creds = (await this.opts.credentials()).credential;
    if (ch.scheme === "basic") return creds?.username && creds.password !== undefined ? basic(creds.username, creds.password) : undefined;
    if (creds?.registryToken) return `Bearer ${creds.registryToken}`;
    const cached = this.tokens.get(this.scope);
    if (cached) return `Bearer ${cached}`;
    this.tokenInFlight ??= this.fetchToken(ch, creds, signal)
      .then((t) => {
        this.tokens.set(this.scope, t);
        return t.token;
      })
      .finally(() => (this.tokenInFlight = undefined));
    return `Bearer ${await this.tokenInFlight}`;
  }

  /**
   * Bearer token from the challenge's realm: the OAuth2 POST for an
   * identity token, else GET with Basic credentials or anonymously
   * (https://distribution.github.io/distribution/spec/auth/token/).
   * Realm redirects are not followed.
   */
  private async fetchToken(ch: Challenge, creds: CredentialLookupResult["credential"], signal: AbortSignal | undefined): Promise<TokenResponse> {
    let realm: URL;
    try {
      realm = new URL(ch.params.realm ?? "");
    } catch {
      throw new LayerlintError("REGISTRY_ERROR", `${this.registry}: invalid token realm`);
    }
    checkRemoteUrl(realm, this.base!, "token realm", this.registry);
    const service = ch.params.service;
    const scopes = [this.scope];
    const res = creds?.identityToken
      ? await this.withRetries(
          () => this.send("POST", realm, { "content-type": "application/x-www-form-urlencoded" }, signal, oauthForm(service, scopes, creds.identityToken!)),
          signal,
        )
      : await this.withRetries(
          () => this.send("GET", tokenQuery(realm, service, scopes), creds?.username && creds.password !== undefined ? { authorization: basic(creds.username, creds.password) } : {}, signal),
          signal,
        );
    if (res.status === 401 || res.status === 403) {
      await discardBody(res.body);
      throw await this.authFailed(res.status, creds !== undefined, "token server");
    }
    if (res.status !== 200) {
      await discardBody(res.body);
      throw new LayerlintError("REGISTRY_ERROR", `${this.registry}: token server answered HTTP ${res.status}`);
    }
    const t = parseTokenResponse((await readCapped(res.body, MAX_TOKEN_BODY, `${this.registry}: token response`)).toString("utf8"));
    if (!t) throw new LayerlintError("REGISTRY_ERROR", `${this.registry}: token server sent no token`);
    return t;
  }
}

/**
 * A TLS server whose certificate this process does not trust (OpenSSL's
 * verification codes as Node reports them, and a name mismatch).
 */
function isCertificateError(e: unknown): boolean {
  return errorCodes(e).some((c) => /CERT|SELF_SIGNED|UNABLE_TO_(?:GET|VERIFY)|INVALID_CA/.test(c));
}

/** undici's terse errors ("Body Timeout Error", "other side closed") said plainly, with the limit that fired. */
export function describeNetworkError(e: unknown, timeouts: Timeouts): string {
  const codes = errorCodes(e);
  if (codes.includes("UND_ERR_BODY_TIMEOUT")) return `read timed out: no data for ${timeouts.bodyMs} ms`;
  if (codes.includes("UND_ERR_HEADERS_TIMEOUT")) return `timed out: no response headers within ${timeouts.headersMs} ms`;
  if (codes.includes("UND_ERR_CONNECT_TIMEOUT")) return `connect timed out after ${timeouts.connectMs} ms`;
  if (codes.includes("UND_ERR_SOCKET") || codes.includes("ERR_STREAM_PREMATURE_CLOSE")) return "connection closed before the response was complete";
  if (codes.includes("ECONNRESET")) return "connection reset by peer";
  const msg = (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
  const code = codes[0];
  const text = code && !msg.includes(code) ? `${msg} (${code})` : msg;
  if (isCertificateError(e)) {
    return `TLS certificate not trusted: ${text}; add its CA with NODE_EXTRA_CA_CERTS, or skip the check with --insecure`;
  }
  return text;
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}
