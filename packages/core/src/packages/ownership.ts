/**
 * Which installed package claims a final file, from the final versions of
 * the image's package databases (dpkg, apk, rpm; package-db-state.ts read
 * them as they streamed).
 *
 * A claim is only what the image's own database says: the analyzer that
 * uses it checks the claim against the file (digest, layer) and never
 * lowers a severity on a database it could not read (`unknown`).
 */
import type { FileEntry } from "../types.js";
import type { AnalyzerContext } from "../analyzers/analyzer.js";
import { basename } from "../paths.js";
import { APK_INSTALLED, DPKG_INFO, DPKG_STATUS, DPKG_STATUS_D, RPM_DIRS, RPM_FILES, databaseFile } from "./database-files.js";
import type { PackageDbState, ParsedDatabase } from "./package-db-state.js";
import { absolutePath, type FileDigest } from "./owned-files.js";

export interface Owner {
  /** Package name. */
  pkg: string;
  format: "dpkg" | "apk" | "rpm";
  /** The database file that lists it (a dpkg .list or md5sums, the apk or rpm database). */
  db: string;
  /** The layer that wrote that database file's final version. */
  dbLayer: number;
  /** The digest the database records for the file; "unread" when it has one the scan could not read. */
  digest?: FileDigest | "unread" | undefined;
  /** Permission bits the database records for the file (apk `a:`, rpm FILEMODES); dpkg records none. */
  mode?: number | undefined;
}

export interface Ownership {
  owner(e: FileEntry): Owner | undefined;
  /** Databases in the image that could not be read, as "path: reason". */
  unknown: string[];
}

interface Claim {
  path: string;
  owner: Owner;
}

/**
 * `names`: the basenames of the files the caller will ask about; only
 * claims on those are indexed.
 */
export function packageOwnership(ctx: AnalyzerContext, state: PackageDbState, names: ReadonlySet<string>): Ownership {
  const claims = new Map<string, Claim[]>();
  const unknown: string[] = [];
  const claim = (rawPath: string, owner: Owner): void => {
    const path = absolutePath(rawPath);
    if (path === undefined) return;
    const name = basename(path);
    if (!names.has(name)) return;
    const list = claims.get(name);
    if (list === undefined) claims.set(name, [{ path, owner }]);
    else list.push({ path, owner });
  };
  /** The final regular-file version at `path`, parsed; undefined when absent; a reason string when unreadable. */
  const readFinal = (e: FileEntry | undefined): ParsedDatabase | string | undefined => {
    if (e === undefined || e.type !== "file") return undefined;
    const r = state.read.get(ctx.origin(e));
    if (r !== undefined) return r;
    const db = databaseFile(e.path);
    if (db !== undefined && e.size > db.cap) return `over the ${db.cap / 1024 / 1024} MiB read limit`;
    return "not read (the scan's capture budget was spent, or the file was written under another name)";
  };
  const note = (e: FileEntry, r: string): void => void unknown.push(`${e.path}: ${r}`);

  // dpkg: a .list counts only for a package the status file records as installed.
  const statusEntry = ctx.files.get(DPKG_STATUS);
  const status = readFinal(statusEntry);
  if (typeof status === "string") note(statusEntry!, status);
  const installed = typeof status === "object" && status.kind === "dpkg-status" ? status.installed : new Set<string>();
  const info = ctx.files.children(DPKG_INFO);
  const infoByName = new Map(info.map((e) => [basename(e.path), e]));
  for (const e of info) {
    if (!e.path.endsWith(".list")) continue;
    const key = basename(e.path).slice(0, -".list".length);
    if (!installed.has(key)) continue;
    const list = readFinal(e);
    if (typeof list === "string") note(e, list);
    if (typeof list !== "object" || list.kind !== "dpkg-list") continue;
    const sumsEntry = infoByName.get(`${key}.md5sums`);
    const sums = readFinal(sumsEntry);
    if (typeof sums === "string") note(sumsEntry!, sums);
    const pkg = key.split(":")[0]!;
    for (const path of list.paths) {
      const digest = typeof sums === "string" ? "unread" : sums?.kind === "dpkg-md5sums" ? sums.sums.get(path) : undefined;
      claim(path, { pkg, format: "dpkg", db: e.path, dbLayer: e.layer, digest });
    }
  }

  // Distroless: one stanza file per package in status.d, its files only in the md5sums beside it.
  const statusD = ctx.files.children(DPKG_STATUS_D);
  const statusDByName = new Map(statusD.map((e) => [basename(e.path), e]));
  for (const e of statusD) {
    if (e.path.endsWith(".md5sums")) continue;
    const stanza = readFinal(e);
    if (typeof stanza === "string") note(e, stanza);
    if (typeof stanza !== "object" || stanza.kind !== "dpkg-status-d") continue;
    const pkg = [...stanza.installed][0];
    const sumsEntry = statusDByName.get(`${basename(e.path)}.md5sums`);
    const sums = readFinal(sumsEntry);
    if (typeof sums === "string") note(sumsEntry!, sums);
    if (pkg === undefined || typeof sums !== "object" || sums.kind !== "dpkg-md5sums") continue;
    for (const [path, digest] of sums.sums) claim(path, { pkg, format: "dpkg", db: sumsEntry!.path, dbLayer: sumsEntry!.layer, digest });
  }

  const whole = (e: FileEntry | undefined, format: "apk" | "rpm"): void => {
    const r = readFinal(e);
    if (typeof r === "string") note(e!, r);
    if (typeof r !== "object" || r.kind !== "packages") return;
    for (const p of r.packages) {
      for (const f of p.files) claim(f.path, { pkg: p.name, format, db: e!.path, dbLayer: e!.layer, digest: f.digest, mode: f.mode });
    }
  };
  for (const path of APK_INSTALLED) whole(ctx.files.get(path), "apk");
  for (const dir of RPM_DIRS) {
    for (const name of RPM_FILES.keys()) {
      const e = ctx.files.get(`${dir}/${name}`);
      // rpm writes its sqlite database in WAL mode: rows still in a non-empty -wal file are not in the main file.
      const wal = name === "rpmdb.sqlite" ? ctx.files.get(`${dir}/rpmdb.sqlite-wal`) : undefined;
      if (e !== undefined && wal !== undefined && wal.size > 0) note(e, "its write-ahead log (rpmdb.sqlite-wal) is not empty");
      else whole(e, "rpm");
    }
  }

  return {
    unknown,
    owner(e) {
      for (const c of claims.get(basename(e.path)) ?? []) {
        if (c.path === e.path || ctx.files.resolvePath(c.path) === e.path) return c.owner;
      }
      return undefined;
    },
  };
}
