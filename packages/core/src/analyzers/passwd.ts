/**
 * Parsers for the account databases (/etc/passwd, /etc/group, /etc/shadow)
 * and the one way analyzers read them: the FINAL version, through symlinks
 * (issue 3, analyzer 5; SPECS.md §8).
 *
 * Parsing follows moby's vendor/github.com/moby/sys/user/user.go, since that
 * is what decides who a container runs as: lines are split at ":", missing
 * trailing fields are empty, a numeric field that fails to parse reads as 0
 * ("conversion errors ignored because of some misbehaving configuration
 * files"). Unlike moby we skip "#" comment lines, as glibc's nss_files does;
 * a name starting with "#" could never be a useful USER anyway.
 */
import type { FileEntry } from "../types.js";
import type { AnalyzerContext } from "./analyzer.js";

export const PASSWD_PATH = "/etc/passwd";
export const GROUP_PATH = "/etc/group";
export const SHADOW_PATH = "/etc/shadow";

/** Account files are tiny; 1 MiB covers any real one. */
export const ACCOUNT_FILE_CAP = 1024 * 1024;

const ACCOUNT_FILES: ReadonlySet<string> = new Set([PASSWD_PATH, GROUP_PATH, SHADOW_PATH]);

/** For wantsContent: the byte cap for an account database path, else 0. */
export function accountFileWants(path: string): number {
  return ACCOUNT_FILES.has(path) ? ACCOUNT_FILE_CAP : 0;
}

export interface PasswdEntry {
  name: string;
  /** "x" means "see /etc/shadow"; "" means no password at all. */
  password: string;
  /** As the runtime reads it: a field that is not a number reads as 0 (moby). */
  uid: number;
  gid: number;
  /** False when the uid field is not a plain decimal number (then uid is 0). */
  uidNumeric: boolean;
  gecos: string;
  home: string;
  shell: string;
  /** 1-based line number in the file. */
  line: number;
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

/** Go's strconv.Atoi on 64-bit: optional sign, decimal digits, in range. */
export function parseGoInt(s: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Non-empty, non-comment lines, split at ":", with 1-based line numbers. */
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

export function parsePasswd(text: string): PasswdEntry[] {
  return records(text).map(({ fields: f, line }) => {
    const uid = parseGoInt(f[2] ?? "");
    return {
      name: f[0] ?? "",
      password: f[1] ?? "",
      uid: uid ?? 0,
      gid: parseGoInt(f[3] ?? "") ?? 0,
      uidNumeric: uid !== undefined,
      gecos: f[4] ?? "",
      home: f[5] ?? "",
      shell: f[6] ?? "",
      line,
    };
  });
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
  /** The final entry, after following symlinks (its path may differ from the one asked for). */
  entry: FileEntry;
  /** Undefined when the bytes were not captured (not asked for, or a symlink to an unusual place). */
  text: string | undefined;
}

/**
 * The final version of an account file, or undefined when the image has
 * none (never shipped, or deleted by a whiteout in a later layer).
 */
export function readAccountFile(ctx: AnalyzerContext, path: string): AccountFile | undefined {
  const entry = ctx.files.resolve(path);
  if (entry === undefined || entry.type !== "file") return undefined;
  const bytes = ctx.content(entry);
  return { entry, text: bytes === undefined ? undefined : Buffer.from(bytes).toString("utf8") };
}

/** The final /etc/passwd, parsed; undefined when absent or not captured. */
export function readPasswd(ctx: AnalyzerContext): PasswdEntry[] | undefined {
  const f = readAccountFile(ctx, PASSWD_PATH);
  return f?.text === undefined ? undefined : parsePasswd(f.text);
}
