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
 *
 * All of them end in runc, which reads /etc/passwd and /etc/group again as
 * the container starts, for every User (resolveUser): a passwd or group
 * that cannot be read stops every container, numeric User or not.
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

/**
 * What the image's /etc/passwd is, as far as the scan could see it, in the
 * terms that decide what the runtimes' reads of it do.
 */
export type PasswdSource =
  /** Absent (never shipped, deleted, a dangling symlink, a non-directory parent): open() gets ENOENT or ENOTDIR. */
  | { kind: "missing" }
  /**
   * The path does not resolve (a symlink loop): moby's scoped path lookup and
   * containerd's fs.RootPath return an error; runc's own open() fails too,
   * which runc ignores.
   */
  | { kind: "loop"; why: string }
  /** It opens but reading it fails: a directory (EISDIR), a line over 64 KiB. Every runtime's lookup errors. */
  | { kind: "read-error"; why: string }
  /** Its content is unknown to the scan (not captured, a FIFO or device): any read may give anything, or fail. */
  | { kind: "unseen"; why: string }
  /** Parsed; `file.stop` says when only a prefix was seen (truncated) or the runtime's scan fails (line-too-long). */
  | { kind: "parsed"; file: PasswdFile; why?: string | undefined };

/**
 * /etc/group, for the one thing that matters to the uid: whether reading it
 * fails. runc's setupUser always looks the group up ("uid:gid"), moby's
 * daemon resolves its path and containerd reads it for supplementary
 * groups, so a /etc/group that is a directory or a symlink loop stops
 * every runtime. Its content cannot: ParseGroupFilter reads lines of any
 * length (bufio.Reader.ReadLine).
 */
export type GroupSource = { kind: "readable" } | { kind: "broken"; why: string };

export const GROUP_READABLE: GroupSource = { kind: "readable" };

export type Resolution =
  | { outcome: "uid"; uid: number; via: string; entry?: PasswdEntry | undefined }
  /** The runtime refuses to start the container: no such user, a uid out of range, a malformed User. */
  | { outcome: "fails"; via: string }
  /**
   * Undetermined: needs passwd content the scan could not see, or a
   * runtime's read of /etc/passwd or /etc/group fails. In the second case
   * runc-based runtimes do not start the container, but the image cannot
   * be proven non-root either: another runtime, reading differently, may
   * start it, and the gate treats both alike.
   */
  | { outcome: "unknown"; via: string };

type Lookup = { found: PasswdEntry } | { notFound: true } | { unknown: string };

/** A passwd whose read does not certainly fail: absent, parsed (whole or in part), or unseen. */
type Readable = Exclude<PasswdSource, { kind: "loop" } | { kind: "read-error" }>;

/**
 * First entry matching `match`, as the runtime's scan finds it. Entries
 * before a truncation are the runtime's first match too (the part not seen
 * can only make the read fail, which resolveUser accounts for). No match
 * before it is unknown.
 */
function lookup(src: Readable, match: (p: PasswdEntry) => boolean): Lookup {
  if (src.kind === "missing") return { notFound: true };
  if (src.kind === "unseen") return { unknown: src.why };
  const found = src.file.entries.find(match);
  if (found !== undefined) return { found };
  if (src.file.stop !== undefined) return { unknown: src.why ?? `was only read up to line ${src.file.stop.line}` };
  return { notFound: true };
}

function byName(src: Readable, name: string, shown: string): Resolution {
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

/** A line over 64 KiB makes the runtime's read fail, like EISDIR: one kind of source. */
function normalized(src: PasswdSource): PasswdSource {
  if (src.kind !== "parsed" || src.file.stop?.why !== "line-too-long") return src;
  return { kind: "read-error", why: src.why ?? `has a line over 64 KiB (line ${src.file.stop.line}), which bufio.Scanner rejects` };
}

/** True when the scan saw all of /etc/passwd (or knows it is absent). */
function complete(src: Readable): boolean {
  return src.kind === "missing" || (src.kind === "parsed" && src.file.stop === undefined);
}

/**
 * One resolver's answer for config.User, through to the process's uid:
 * the daemon's or containerd's resolution, then runc's setupUser
 * (https://github.com/opencontainers/runc/blob/v1.1.5/libcontainer/init_linux.go),
 * which runs GetExecUserPath on the spec's "uid:gid"
 * (https://github.com/opencontainers/runc/blob/v1.1.5/utils_linux.go)
 * inside the container for every user, numeric or not. GetExecUserPath ignores a passwd or group it
 * cannot open (ENOENT, ELOOP) but fails when reading one fails
 * (ParsePasswdFilter, ParseGroupFilter): a directory, or a passwd line over
 * 64 KiB, fails every container whatever its User. containerd's
 * UserFromPath (https://github.com/containerd/containerd/blob/v1.6.20/oci/spec_opts.go)
 * fails on the same reads, and on any path error but ENOENT.
 */
export function resolveUser(resolver: ResolverId, user: string, passwd: PasswdSource, group: GroupSource = GROUP_READABLE): Resolution {
  const part = userPart(user);
  const shown = JSON.stringify(part);
  const key = bytesKey(part);
  // containerd's WithUser rejects this before it opens any file.
  if (resolver !== "moby" && user.split(":").length > 2) {
    return { outcome: "fails", via: `containerd rejects a User with more than one ":"` };
  }
  if (group.kind === "broken") return { outcome: "unknown", via: `/etc/group ${group.why}, and every runtime reads it to start the container` };
  const src = normalized(passwd);
  if (src.kind === "read-error") {
    return { outcome: "unknown", via: `/etc/passwd ${src.why}: reading it fails, and runc reads it for every user, numeric or not` };
  }
  if (resolver !== "moby" && user === "") {
    // No WithUser: containerd never resolves /etc/passwd's path; runc ignores an open() that fails (a loop).
    const r: Resolution = { outcome: "uid", uid: 0, via: "config User is empty: containerd leaves the default uid 0" };
    return src.kind === "loop" ? r : atStart(r, src);
  }
  if (src.kind === "loop") {
    const who = resolver === "moby" ? "the daemon's scoped path lookup" : "containerd's fs.RootPath";
    return { outcome: "unknown", via: `/etc/passwd ${src.why}: ${who} fails` };
  }
  return atStart(resolveWith(resolver, user, part, shown, key, src), src);
}

/**
 * runc's read at container start (see resolveUser) over a passwd the scan
 * saw only in part: the unseen part may hold a line over 64 KiB, which
 * fails the start. So only uid 0 stays certain enough to report (the
 * runtime gives it or does not start); any other answer is unknown.
 */
function atStart(r: Resolution, src: Readable): Resolution {
  if (complete(src) || r.outcome === "unknown" || (r.outcome === "uid" && r.uid === 0)) return r;
  const why = src.kind === "unseen" ? src.why : src.kind === "parsed" ? (src.why ?? "was only read in part") : "";
  return { outcome: "unknown", via: `${r.via}, unless the part of /etc/passwd the scan did not see makes runc's read fail (/etc/passwd ${why})` };
}

function resolveWith(resolver: ResolverId, user: string, part: string, shown: string, key: string, src: Readable): Resolution {
  if (part === "") {
    const why = user === "" ? "config User is empty" : `config User ${JSON.stringify(user)} has no user part`;
    return { outcome: "uid", uid: 0, via: `${why}, so the default uid 0 applies` };
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
