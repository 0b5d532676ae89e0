/**
 * Which files of an image are package databases, and how many bytes each may
 * take. A database is read whole or not at all: a cut one would hide
 * packages, so one over its cap reads as unknown ownership.
 */

export type DatabaseKind = "dpkg-status" | "dpkg-status-d" | "dpkg-list" | "dpkg-md5sums" | "apk" | "rpm-sqlite" | "rpm-bdb" | "rpm-ndb";

/** Per-package dpkg files are small (the largest .list of a Debian 12 system is under 1 MiB). */
const SMALL_CAP = 4 * 1024 * 1024;
/** The whole-system databases: a full Debian status or Alpine installed db is a few MiB. */
const TEXT_DB_CAP = 16 * 1024 * 1024;
/**
 * rpm databases hold every header: a few MiB in a container base image,
 * more on a full system. Half the scan's default capture budget
 * (Limits.maxCapturedBytes, 64 MiB), so one database in flight leaves room
 * for the other analyzers' captures.
 */
const RPM_DB_CAP = 32 * 1024 * 1024;

export const DPKG_INFO = "/var/lib/dpkg/info";
export const DPKG_STATUS = "/var/lib/dpkg/status";
export const DPKG_STATUS_D = "/var/lib/dpkg/status.d";
/** trivy's pkg/fanal/analyzer/pkg/apk requiredFiles. */
export const APK_INSTALLED = ["/lib/apk/db/installed", "/usr/lib/apk/db/installed"] as const;
/** trivy's pkg/fanal/analyzer/pkg/rpm requiredFiles, by backend. */
export const RPM_DIRS = ["/var/lib/rpm", "/usr/lib/sysimage/rpm", "/usr/share/rpm"] as const;
export const RPM_FILES: ReadonlyMap<string, DatabaseKind> = new Map<string, DatabaseKind>([
  ["rpmdb.sqlite", "rpm-sqlite"],
  ["Packages", "rpm-bdb"],
  ["Packages.db", "rpm-ndb"],
]);

export interface DatabaseFile {
  kind: DatabaseKind;
  cap: number;
}

/** The database kind of a path, or undefined. Cheap: called for every regular file as it streams. */
export function databaseFile(path: string): DatabaseFile | undefined {
  if (path.startsWith("/var/lib/dpkg/")) {
    if (path === DPKG_STATUS) return { kind: "dpkg-status", cap: TEXT_DB_CAP };
    const slash = path.lastIndexOf("/");
    const dir = path.slice(0, slash);
    if (dir === DPKG_INFO) {
      if (path.endsWith(".list")) return { kind: "dpkg-list", cap: SMALL_CAP };
      if (path.endsWith(".md5sums")) return { kind: "dpkg-md5sums", cap: SMALL_CAP };
    } else if (dir === DPKG_STATUS_D) {
      return { kind: path.endsWith(".md5sums") ? "dpkg-md5sums" : "dpkg-status-d", cap: SMALL_CAP };
    }
    return undefined;
  }
  if (path === APK_INSTALLED[0] || path === APK_INSTALLED[1]) return { kind: "apk", cap: TEXT_DB_CAP };
  const slash = path.lastIndexOf("/");
  const kind = RPM_FILES.get(path.slice(slash + 1));
  if (kind !== undefined && (RPM_DIRS as readonly string[]).includes(path.slice(0, slash))) return { kind, cap: RPM_DB_CAP };
  return undefined;
}
