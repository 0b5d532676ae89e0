/**
 * Bearer token exchange (https://distribution.github.io/distribution/spec/auth/token/;
 * distribution docs token.md and oauth.md). Tokens are cached per scope
 * until `expires_in` runs out.
 */
export interface TokenResponse {
  token: string;
  /** Seconds; the spec's default is 60. */
  expiresIn: number;
}

/** Largest token response read, as ggcr
 * (https://github.com/google/go-containerregistry/blob/main/pkg/v1/remote/transport/bearer.go). */
export const MAX_TOKEN_BODY = 64 * 1024;

/** Reads `access_token` when non-empty, else `token` (ggcr and containerd prefer access_token). */
export function parseTokenResponse(body: string): TokenResponse | undefined {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== "object") return undefined;
  const o = v as Record<string, unknown>;
  const token = typeof o.access_token === "string" && o.access_token !== "" ? o.access_token : o.token;
  if (typeof token !== "string" || token === "") return undefined;
  const e = typeof o.expires_in === "number" && Number.isFinite(o.expires_in) && o.expires_in > 0 ? o.expires_in : 60;
  return { token, expiresIn: e };
}

/** Query for the GET form: `service` and one `scope` per scope. */
export function tokenQuery(realm: URL, service: string | undefined, scopes: readonly string[]): URL {
  const u = new URL(realm.href);
  if (service) u.searchParams.set("service", service);
  for (const s of scopes) u.searchParams.append("scope", s);
  return u;
}

/** Form body for the OAuth2 POST: refresh_token for identity tokens (https://github.com/docker/cli/blob/master/cli/config/configfile/file.go). */
export function oauthForm(service: string | undefined, scopes: readonly string[], refreshToken: string): string {
  const f = new URLSearchParams();
  f.set("grant_type", "refresh_token");
  f.set("refresh_token", refreshToken);
  if (service) f.set("service", service);
  f.set("client_id", "layerlint");
  f.set("scope", scopes.join(" "));
  return f.toString();
}

/** Tokens by scope key, each valid until shortly before it expires. */
export class TokenCache {
  private readonly entries = new Map<string, { token: string; until: number }>();
  constructor(private readonly now: () => number = Date.now) {}

  get(key: string): string | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (this.now() >= e.until) {
      this.entries.delete(key);
      return undefined;
    }
    return e.token;
  }

  set(key: string, t: TokenResponse): void {
    // Renew a little early so a token never expires mid-request.
    const slack = Math.min(10, t.expiresIn / 10);
    this.entries.set(key, { token: t.token, until: this.now() + (t.expiresIn - slack) * 1000 });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
