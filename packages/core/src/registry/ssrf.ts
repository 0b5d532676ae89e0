import { isIP } from "node:net";
import { LayerlintError } from "../errors.js";

/** The eight 16-bit groups of an IPv6 literal (`::` expanded, a dotted IPv4 tail split in two). */
function ipv6Groups(h: string): number[] | undefined {
  if (isIP(h) !== 6) return undefined;
  let s = h;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    const [x, y, z, w] = v4.slice(1).map(Number) as [number, number, number, number];
    s = `${s.slice(0, v4.index)}${((x << 8) | y).toString(16)}:${((z << 8) | w).toString(16)}`;
  }
  const [head, tail] = s.split("::") as [string, string | undefined];
  const part = (p: string | undefined) => (p ? p.split(":").map((g) => parseInt(g, 16)) : []);
  const hi = part(head);
  const lo = part(tail);
  return [...hi, ...new Array<number>(8 - hi.length - lo.length).fill(0), ...lo];
}

/**
 * The host as compared: no IPv6 brackets, lowercased, no trailing dot
 * (`localhost.` resolves as `localhost`), and an IPv4-mapped IPv6 address
 * (`::ffff:7f00:1`, as the URL parser writes `[::ffff:127.0.0.1]`) as the
 * dotted IPv4 address it reaches.
 */
function canonicalHost(hostname: string): string {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase().replace(/\.$/, "");
  const g = ipv6Groups(h);
  if (g && g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  return h;
}

/**
 * Loopback, private, link-local or unspecified, judged from the literal
 * host (no DNS lookup). `localhost` and `*.localhost` count as loopback,
 * and an IPv4-mapped IPv6 address as the IPv4 address it maps to.
 */
export function isPrivateHost(hostname: string): boolean {
  const h = canonicalHost(hostname);
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  const v = isIP(h);
  if (v === 4) {
    const [a, b] = h.split(".").map(Number) as [number, number];
    return (
      a === 127 || a === 10 || a === 0 ||
      (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) ||
      (a === 100 && b >= 64 && b <= 127) || // 100.64.0.0/10 carrier-grade NAT
      (a === 198 && (b === 18 || b === 19)) || // 198.18.0.0/15 benchmarking
      a >= 224 // multicast and reserved
    );
  }
  if (v === 6) {
    const g = ipv6Groups(h)!;
    if (g.slice(0, 7).every((x) => x === 0) && g[7]! <= 1) return true; // :: and ::1
    if ((g[0]! & 0xfe00) === 0xfc00 || (g[0]! & 0xffc0) === 0xfe80) return true; // fc00::/7, fe80::/10
    if ((g[0]! & 0xff00) === 0xff00) return true; // multicast
    // 64:ff9b::/96 (NAT64) reaches the IPv4 address in its low 32 bits.
    if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) {
      return isPrivateHost(`${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`);
    }
  }
  return false;
}

/** Loopback only: where docker allows plain http without being told. */
export function isLoopbackHost(hostname: string): boolean {
  const h = canonicalHost(hostname);
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  const g = ipv6Groups(h);
  if (g) return g.slice(0, 7).every((x) => x === 0) && g[7] === 1;
  return isIP(h) === 4 && h.startsWith("127.");
}

/**
 * Where a registry may send us: a token realm or a blob redirect (after ggcr's
 * validateRealmURL, https://github.com/google/go-containerregistry/blob/main/pkg/v1/remote/transport/bearer.go). https only, unless the
 * registry itself is plain http — and for a token realm (which receives
 * credentials) then only on the registry's own host, since they would cross
 * the network in clear to anyone who can rewrite the challenge; a loopback
 * or private host only when it is the registry's own host.
 */
export function checkRemoteUrl(target: URL, registry: URL, what: string, registryName: string): void {
  const carriesCredentials = what === "token realm";
  const sameHost = canonicalHost(target.hostname) === canonicalHost(registry.hostname);
  const plainAllowed = registry.protocol === "http:" && (sameHost || !carriesCredentials);
  if (isPrivateHost(target.hostname) && !sameHost) {
    throw new LayerlintError("REGISTRY_ERROR", `${registryName}: refusing ${what} to private host ${target.hostname}`);
  }
  if (target.protocol !== "https:" && !(plainAllowed && target.protocol === "http:")) {
    throw new LayerlintError("REGISTRY_ERROR", `${registryName}: refusing ${what} with scheme ${target.protocol.replace(/:$/, "")}`);
  }
}
