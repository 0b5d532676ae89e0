/**
 * The account databases (/etc/passwd, /etc/group, /etc/shadow): how they are
 * parsed and the one way analyzers read them, the FINAL version through
 * symlinks and hardlinks.
 *
 * /etc/passwd is parsed exactly as the container runtimes do, since that
 * decides who a container runs as: ParsePasswdFilter in
 * https://github.com/opencontainers/runc/blob/v1.1.5/libcontainer/user/user.go
 * (moved to https://github.com/moby/sys/blob/main/user/user.go), used by
 * moby and containerd alike:
 * - lines come from a bufio.Scanner: split at "\n" (a trailing "\r"
 *   dropped), and a line longer than 64 KiB stops the scan with an error,
 *   which fails the whole lookup;
 * - each line is bytes.TrimSpace'd (Go's white space set, go-text.ts) and
 *   skipped when empty; there is NO comment syntax: "#root:x:0:0" is an
 *   account named "#root";
 * - fields are split at ":", missing ones are empty, extra ones ignored;
 * - numbers go through strconv.Atoi with the error ignored: a syntax error
 *   reads as 0, an out-of-range value as the int64 it clamps to.
 * Names are compared as bytes; entries keep a latin1 `key` (one char per
 * byte) for that, and a UTF-8 `name` for display.
 */
import type { FileEntry } from "../types.js";
import type { AnalyzerContext } from "./analyzer.js";
import { resolveSymlinks } from "../file-index.js";
import { GO_MAX_SCAN_TOKEN, goAtoi, goTrimSpace, goUint32 } from "./go-text.js";

export const PASSWD_PATH = "/etc/passwd";
export const GROUP_PATH = "/etc/group";
export const SHADOW_PATH = "/etc/shadow";

/** Account files are tiny; 1 MiB covers any real one. A larger one reads as incomplete. */
export const ACCOUNT_FILE_CAP = 1024 * 1024;

const ACCOUNT_FILES: ReadonlySet<string> = new Set([PASSWD_PATH, GROUP_PATH, SHADOW_PATH]);

/** For wantsContent: the byte cap for an account database path, else 0. */
export function accountFileWants(path: string): number {
  return ACCOUNT_FILES.has(path) ? ACCOUNT_FILE_CAP : 0;
}

/**
 * For wantsContent at walk time, when the final /etc/passwd may be reached
 * another way (written through a symlinked parent, or a symlink to
 * /usr/share/base-passwd/passwd): any regular file named "passwd".
 */
export function passwdWants(e: FileEntry): number {
  return e.path.endsWith("/passwd") && e.size > 0 ? ACCOUNT_FILE_CAP : 0;
}

export interface PasswdEntry {
  /** For display: the name bytes as UTF-8 (invalid sequences as U+FFFD). */
  name: string;
  /** The name bytes, one char per byte (latin1): what lookups compare. */
  key: string;
  /** "x" means "see /etc/shadow"; "" means no password at all. */
  password: string;
  /** strconv.Atoi of the uid field, error ignored (clamped or 0), as a JS number for display. */
  uid: number;
  /** The same as int64, exact. */
  uidValue: bigint;
  /** uint32(uid): what moby and containerd put in the OCI spec. */
  uid32: number;
  gid: number;
  /** False when Atoi failed on the uid field (then uid reads 0 or a clamped value). */
  uidNumeric: boolean;
  gecos: string;
  home: string;
  shell: string;
  /** 1-based line number in the file. */
  line: number;
}

export interface PasswdFile {
  /** Entries in file order, up to the first point the runtime would stop (see `stop`). */
  entries: PasswdEntry[];
  /**
   * Why `entries` may not be all the runtime would see: "line-too-long" (the
   * runtime's scan fails there: every lookup errors), "truncated" (only a
   * prefix was captured; the last, partial line is left out). Undefined
   * when the whole file was parsed.
   */
  stop?: { why: "line-too-long" | "truncated"; line: number } | undefined;
}

export interface GroupEntry {
  name: string;
  password: string;
  gid: number;
  members: string[];
  line: number;
}

export interface ShadowEntry {
  name: string;
  /** The hash field: "" is no password, "!"/"*"/"!!"/"!$6$…" are locked. */
  password: string;
  line: number;
}

/** Go's strconv.Atoi, as a JS number when it succeeds in the safe-integer range. */
export function parseGoInt(s: string): number | undefined {
  const r = goAtoi(s);
  if (r.error !== undefined) return undefined;
  const n = Number(r.value);
  return Number.isSafeInteger(n) ? n : undefined;
}

// ignoreBOM keeps a leading U+FEFF: it is part of the name to the runtime.
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

function latin1(b: Uint8Array, start: number, end: number): string {
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString("latin1");
}

function passwdEntry(b: Uint8Array, start: number, end: number, line: number): PasswdEntry {
  const f: [number, number][] = [];
  let s = start;
  for (let k = start; k <= end && f.length < 7; k++) {
    if (k === end || b[k] === 0x3a) {
      f.push([s, k]);
      s = k + 1;
    }
  }
  const text = (i: number) => (f[i] === undefined ? "" : utf8.decode(b.subarray(f[i]![0], f[i]![1])));
  const raw = (i: number) => (f[i] === undefined ? "" : latin1(b, f[i]![0], f[i]![1]));
  const uid = goAtoi(raw(2));
  return {
    name: text(0),
    key: raw(0),
    password: text(1),
    uid: Number(uid.value),
    uidValue: uid.value,
    uid32: goUint32(uid.value),
    gid: Number(goAtoi(raw(3)).value),
    uidNumeric: uid.error === undefined,
    gecos: text(4),
    home: text(5),
    shell: text(6),
    line,
  };
}

/**
 * Parses passwd bytes as runc's ParsePasswdFilter does (module comment).
 * `complete`: the bytes are the whole file; otherwise the last line, cut
 * by the capture, is left out and the result says "truncated".
 */
export function parsePasswdBytes(b: Uint8Array, complete = true): PasswdFile {
  const entries: PasswdEntry[] = [];
  let start = 0;
  let line = 1;
  while (start < b.length) {
    let nl = b.indexOf(0x0a, start);
    if (nl < 0) {
      if (!complete) return { entries, stop: { why: "truncated", line } };
      nl = b.length;
    }
    // bufio.Scanner's buffer holds at most 64 KiB: the line and its "\n"
    // (or, for a last line without one, the line and room to see EOF).
    if (nl - start + 1 > GO_MAX_SCAN_TOKEN) return { entries, stop: { why: "line-too-long", line } };
    let end = nl;
    if (end > start && b[end - 1] === 0x0d) end--; // ScanLines drops one "\r"
    const [s, e] = goTrimSpace(b, start, end);
    if (e > s) entries.push(passwdEntry(b, s, e, line));
    start = nl + 1;
    line++;
  }
  return { entries };
}

/** Parses passwd text (UTF-8) the runtime's way; for tests and callers holding a string. */
export function parsePasswd(text: string): PasswdEntry[] {
  return parsePasswdBytes(Buffer.from(text, "utf8")).entries;
}

/** Non-empty, non-comment lines, split at ":", with 1-based line numbers (glibc nss_files skips "#" lines). */
function records(text: string): { fields: string[]; line: number }[] {
  const out: { fields: string[]; line: number }[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    out.push({ fields: line.split(":"), line: i + 1 });
  }
  return out;
}

export function parseGroup(text: string): GroupEntry[] {
  return records(text).map(({ fields: f, line }) => ({
    name: f[0] ?? "",
    password: f[1] ?? "",
    gid: parseGoInt(f[2] ?? "") ?? 0,
    members: (f[3] ?? "").split(",").filter((m) => m !== ""),
    line,
  }));
}

export function parseShadow(text: string): ShadowEntry[] {
  return records(text).map(({ fields: f, line }) => ({ name: f[0] ?? "", password: f[1] ?? "", line }));
}

export interface AccountFile {
  /** The final entry, after following symlinks and hardlinks (its path may differ from the one asked for). */
  entry: FileEntry;
  /** The captured bytes; undefined when not captured. */
  bytes: Uint8Array | undefined;
  /** True when `bytes` is the whole file (bytes.length === entry.size). */
  complete: boolean;
  /** `bytes` as UTF-8 text, when captured. */
  text: string | undefined;
}

/** How the final path looks when it is not a readable regular file. */
export type AccountFileProblem =
  /** The path exists but does not resolve (a symlink loop, or more than 40 hops). */
  | { kind: "unresolved" }
  /** It resolves to a directory, a device, a FIFO: a runtime cannot read it as a file. */
  | { kind: "special"; entry: FileEntry };

/**
 * The final version of an account file, or undefined when the image has
 * none (never shipped, deleted by a whiteout, a dangling symlink: the
 * runtime's open() gets ENOENT), or the problem that
 * makes it unreadable.
 */
export function readAccountFile(ctx: AnalyzerContext, path: string): AccountFile | AccountFileProblem | undefined {
  const entry = ctx.files.resolve(path);
  if (entry === undefined) {
    // A symlink chain that never ends is no ENOENT: moby's and containerd's
    // symlink-in-scope resolution returns an error for it.
    const loops = resolveSymlinks((p) => ctx.files.get(p), path, { followFinal: true, strict: false }) === null;
    return loops ? { kind: "unresolved" } : undefined;
  }
  if (entry.type !== "file") return { kind: "special", entry };
  const bytes = ctx.content(entry);
  const complete = bytes !== undefined && bytes.length === entry.size;
  return { entry, bytes, complete, text: bytes === undefined ? undefined : Buffer.from(bytes).toString("utf8") };
}

export function isAccountFile(f: AccountFile | AccountFileProblem | undefined): f is AccountFile {
  return f !== undefined && "bytes" in f;
}

/** The final /etc/passwd, parsed; undefined when absent, unreadable or not captured. */
export function readPasswd(ctx: AnalyzerContext): PasswdEntry[] | undefined {
  const f = readAccountFile(ctx, PASSWD_PATH);
  return isAccountFile(f) && f.bytes !== undefined ? parsePasswdBytes(f.bytes, f.complete).entries : undefined;
}
