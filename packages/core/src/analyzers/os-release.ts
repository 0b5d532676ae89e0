/**
 * The image's OS from os-release(5): feeds
 * `image.os` in the report and the base class.
 *
 * Not an Analyzer: it emits no findings, and the scan merges
 * `osReleaseWants` into its content capture directly (scan.ts
 * combineWants), so no empty analyzer has to sit in the analyzer list.
 *
 * /etc/os-release wins; /usr/lib/os-release is the fallback (os-release(5)).
 * /etc/os-release is usually a symlink to ../usr/lib/os-release, so both
 * paths are captured and the symlink is followed in the final image.
 */
import type { AnalyzerContext } from "./analyzer.js";

export const OS_RELEASE_PATHS = ["/etc/os-release", "/usr/lib/os-release"] as const;

/** Real files are a few hundred bytes. */
const OS_RELEASE_CAP = 64 * 1024;

const WANTED: ReadonlySet<string> = new Set(OS_RELEASE_PATHS);

/** For content capture: the byte cap for an os-release path, else 0. Cheap: one Set lookup. */
export function osReleaseWants(path: string): number {
  return WANTED.has(path) ? OS_RELEASE_CAP : 0;
}

export interface OsRelease {
  /** ID; "linux" when the file has none (os-release(5) default). */
  id: string;
  versionId?: string;
  name?: string;
  prettyName?: string;
  /** ID_LIKE, space-separated in the file: ["debian"] for Ubuntu. */
  idLike?: string[];
  /** Every assignment, for callers that need more (VARIANT_ID, BUILD_ID…). */
  fields: Record<string, string>;
}

/**
 * Unquotes one shell-style value: "…" (with \\ \" \$ \` escapes), '…'
 * (literal), or bare words with backslash escapes. Quoted and bare parts may
 * be concatenated, as in a shell.
 */
function unquote(raw: string): string {
  let out = "";
  let i = 0;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === "'") {
      const end = raw.indexOf("'", i + 1);
      const stop = end < 0 ? raw.length : end;
      out += raw.slice(i + 1, stop);
      i = stop + 1;
    } else if (c === '"') {
      i++;
      while (i < raw.length && raw[i] !== '"') {
        if (raw[i] === "\\" && i + 1 < raw.length && '\\"$`'.includes(raw[i + 1]!)) i++;
        out += raw[i];
        i++;
      }
      i++;
    } else if (c === "\\" && i + 1 < raw.length) {
      out += raw[i + 1];
      i += 2;
    } else if (c === "#" || c === " " || c === "\t") {
      break; // an unquoted blank ends the value; "#" after it is a comment
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Parses os-release text: KEY=value lines, "#" comments, shell quoting. */
export function parseOsRelease(text: string): OsRelease {
  const fields: Record<string, string> = {};
  for (const rawLine of text.split("\n")) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    fields[key] = unquote(line.slice(eq + 1));
  }
  const result: OsRelease = { id: fields["ID"] || "linux", fields };
  if (fields["VERSION_ID"]) result.versionId = fields["VERSION_ID"];
  if (fields["NAME"]) result.name = fields["NAME"];
  if (fields["PRETTY_NAME"]) result.prettyName = fields["PRETTY_NAME"];
  const like = (fields["ID_LIKE"] ?? "").split(/\s+/).filter((w) => w !== "");
  if (like.length > 0) result.idLike = like;
  return result;
}

/**
 * The final image's os-release, or null when it has none (scratch, or the
 * file was deleted) or its bytes were not captured.
 */
export function readOsRelease(ctx: AnalyzerContext): OsRelease | null {
  for (const path of OS_RELEASE_PATHS) {
    const entry = ctx.files.resolve(path);
    if (entry === undefined || entry.type !== "file") continue;
    const bytes = ctx.content(entry);
    if (bytes === undefined) continue;
    return parseOsRelease(Buffer.from(bytes).toString("utf8"));
  }
  return null;
}
