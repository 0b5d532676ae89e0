/**
 * Who a container runs as, as each mainstream runtime decides it from the
 * image config's User and the image's /etc/passwd. They disagree on numeric
 * edge cases, and a gate must take the verdict that makes the image root,
 * so every resolver is run and each answer kept.
 *
 * - "moby": docker's daemon calls runc's GetExecUser and converts the uid
 *   with uint32() (getUser in
 *   https://github.com/moby/moby/blob/v20.10.24/daemon/oci_linux.go;
 *   GetExecUser in
 *   https://github.com/opencontainers/runc/blob/v1.1.5/libcontainer/user/user.go,
 *   now https://github.com/moby/sys/blob/main/user/user.go). User splits
 *   at ":" into user and group; an empty user keeps the default uid 0; a
 *   user that Atoi parses is always a uid, matched against passwd uids
 *   (first match), and with no match it must lie in 0..2^31-1 (ErrRange);
 *   any other user is a name, first match wins, and a missing name fails.
 *   A matched entry's uid is taken as is, so an entry "x:x:4294967296:…"
 *   becomes uid 0 after uint32().
 * - "containerd-wrap": containerd's oci.WithUser before the
 *   CVE-2024-40635 fix (upstream up to 1.6.37, 1.7.26 and 2.0.3; Debian's
 *   1.6.20 before 1.6.20~ds1-1+deb12u2): a user that Atoi parses is
 *   uint32(v) with no range check, so "4294967296" is uid 0 and "-1" is
 *   4294967295 (https://github.com/containerd/containerd/blob/v1.6.20/oci/spec_opts.go).
 * - "containerd-name": containerd with that fix, up to 2.3: a user that
 *   Atoi does not parse, or that lies outside 0..2^31-1, is looked up as a
 *   NAME ("4294967296", "-1" and "2147483648" are names then)
 *   (https://github.com/containerd/containerd/blob/v2.3.0/pkg/oci/spec_opts.go).
 *   containerd 2.4 rejects those values instead: never root, so it needs no
 *   resolver of its own.
 *
 * containerd takes a name's uid from passwd with uint32() too, and leaves
 * an empty User alone (uid 0). The group part never changes the uid; a
 * group that does not resolve makes the runtime fail, which is never
 * root, so it is not looked at.
 */
import { goAtoi, goUint32 } from "./go-text.js";
import type { PasswdEntry, PasswdFile } from "./passwd.js";

export const RESOLVERS = ["moby", "containerd-wrap", "containerd-name"] as const;
export type ResolverId = (typeof RESOLVERS)[number];

/** Human names for messages. */
export const RESOLVER_LABEL: Readonly<Record<ResolverId, string>> = {
  moby: "docker (moby + runc GetExecUser)",
  "containerd-wrap": "containerd before the CVE-2024-40635 fix (uint32 wrap)",
  "containerd-name": "containerd 1.6.38+/1.7.27+/2.0.4+ (out-of-range uid looked up as a name)",
};

/** What the image's passwd is, as far as the scan could see it. */
export type PasswdSource =
  | { kind: "missing" }
  /** Present but its content could not be read fully enough; `why` in words. */
  | { kind: "unreadable"; why: string }
  | { kind: "parsed"; file: PasswdFile; why?: string | undefined };

export type Resolution =
  | { outcome: "uid"; uid: number; via: string; entry?: PasswdEntry | undefined }
  /** The runtime refuses to start the container. */
  | { outcome: "fails"; via: string }
  /** Needs passwd content the scan could not see. */
  | { outcome: "unknown"; via: string };

type Lookup = { found: PasswdEntry } | { notFound: true } | { unknown: string };

/**
 * First entry matching `match`, as the runtime's scan finds it. Entries
 * before a stop (truncation, an over-long line) are certain: a later line
 * cannot change a first match. No match before a stop is unknown.
 */
function lookup(src: PasswdSource, match: (p: PasswdEntry) => boolean): Lookup {
  if (src.kind === "missing") return { notFound: true };
  if (src.kind === "unreadable") return { unknown: src.why };
  const found = src.file.entries.find(match);
  if (found !== undefined) return { found };
  if (src.file.stop !== undefined) {
    const at = `line ${src.file.stop.line}`;
    return { unknown: src.why ?? (src.file.stop.why === "truncated" ? `only read up to ${at}` : `${at} is longer than 64 KiB`) };
  }
  return { notFound: true };
}

function byName(src: PasswdSource, name: string, shown: string): Resolution {
  const r = lookup(src, (p) => p.key === name);
  if ("found" in r) {
    return { outcome: "uid", uid: r.found.uid32, entry: r.found, via: `${shown} is line ${r.found.line} of /etc/passwd, uid ${r.found.uidValue}` };
  }
  if ("unknown" in r) return { outcome: "unknown", via: `${shown} is looked up in /etc/passwd, which ${r.unknown}` };
  return { outcome: "fails", via: `${shown} is not in /etc/passwd` };
}

/** config.User split as runc's parseLine does: the first two ":" fields. */
export function userPart(user: string): string {
  const colon = user.indexOf(":");
  return colon >= 0 ? user.slice(0, colon) : user;
}

/** UTF-8 bytes of `s`, one char per byte: how Go sees the JSON string. */
function bytesKey(s: string): string {
  return Buffer.from(s, "utf8").toString("latin1");
}

export function resolveUser(resolver: ResolverId, user: string, src: PasswdSource): Resolution {
  const part = userPart(user);
  const shown = JSON.stringify(part);
  const key = bytesKey(part);
  if (resolver !== "moby" && user === "") {
    return { outcome: "uid", uid: 0, via: "config User is empty: containerd leaves the default uid 0" };
  }
  if (part === "") {
    const why = user === "" ? "config User is empty" : `config User ${JSON.stringify(user)} has no user part`;
    return { outcome: "uid", uid: 0, via: `${why}, so the default uid 0 applies` };
  }
  if (resolver !== "moby" && user.split(":").length > 2) {
    return { outcome: "fails", via: `containerd rejects a User with more than one ":"` };
  }
  const n = goAtoi(key);
  switch (resolver) {
    case "moby": {
      if (n.error !== undefined) return byName(src, key, shown);
      const inRange = n.value >= 0n && n.value <= 0x7fffffffn;
      if (inRange) return { outcome: "uid", uid: Number(n.value), via: `numeric ${shown} is uid ${n.value}` };
      // Out of range: still a uid, matched against passwd uids; only no match is ErrRange.
      const r = lookup(src, (p) => p.uidValue === n.value);
      if ("found" in r) {
        return { outcome: "uid", uid: goUint32(n.value), entry: r.found, via: `numeric ${shown} matches line ${r.found.line} of /etc/passwd, and uint32(${n.value}) is ${goUint32(n.value)}` };
      }
      if ("unknown" in r) return { outcome: "unknown", via: `numeric ${shown} is out of range unless /etc/passwd has that uid, and /etc/passwd ${r.unknown}` };
      return { outcome: "fails", via: `numeric ${shown} is outside 0..2147483647 (ErrRange)` };
    }
    case "containerd-wrap":
      if (n.error !== undefined) return byName(src, key, shown);
      return { outcome: "uid", uid: goUint32(n.value), via: `numeric ${shown} is uint32(${n.value}) = ${goUint32(n.value)}` };
    case "containerd-name":
      if (n.error === undefined && n.value >= 0n && n.value <= 0x7fffffffn) {
        return { outcome: "uid", uid: Number(n.value), via: `numeric ${shown} is uid ${n.value}` };
      }
      return byName(src, key, shown);
  }
}
