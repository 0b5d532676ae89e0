import { isIP } from "node:net";
import { LayerlintError } from "../errors.js";

/**
 * Loopback, private, link-local or unspecified, judged from the literal
 * host (no DNS lookup). `localhost` and `*.localhost` count as loopback.
 */
export function isPrivateHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  const v = isIP(h);
  if (v === 4) {
    const [a, b] = h.split(".").map(Number) as [number, number];
    return a === 127 || a === 10 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  if (v === 6) {
    if (h === "::1" || h === "::") return true;
    if (/^f[cd]/.test(h) || /^fe[89ab]/.test(h)) return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return mapped ? isPrivateHost(mapped[1]!) : false;
  }
  return false;
}

/** Loopback only: where docker allows plain http without being told (issue 4 §6). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost") || h === "::1") return true;
  return isIP(h) === 4 && h.startsWith("127.");
}

/**
 * Where a registry may send us: a token realm or a blob redirect (SPECS §2
 * "Realm SSRF guard", after ggcr validateRealmURL). https only, unless the
 * registry itself is plain http; a loopback or private host only when it is
 * the registry's own host.
 */
export function checkRemoteUrl(target: URL, registry: URL, what: string, registryName: string): void {
  const plainAllowed = registry.protocol === "http:";
  if (target.protocol !== "https:" && !(plainAllowed && target.protocol === "http:")) {
    throw new LayerlintError("REGISTRY_ERROR", `${registryName}: refusing ${what} with scheme ${target.protocol.replace(/:$/, "")}`);
  }
  if (isPrivateHost(target.hostname) && target.hostname !== registry.hostname) {
    throw new LayerlintError("REGISTRY_ERROR", `${registryName}: refusing ${what} to private host ${target.hostname}`);
  }
}
