/**
 * The one command search every analyzer uses: where a container's exec
 * looks for a command. The tools analyzer and the base-class label both
 * read from here, so they cannot disagree about what is in PATH.
 *
 * Where: the image's own PATH (the last `PATH=` of config Env, else the
 * default docker and containerd set:
 * https://github.com/moby/moby/blob/master/oci/defaults.go DefaultPathEnv,
 * https://github.com/containerd/containerd/blob/main/pkg/oci/spec.go
 * defaultUnixEnv), plus the standard bin dirs, each resolved through
 * symlinks and deduplicated, so a merged /usr (`/bin → usr/bin`) lists
 * /usr/bin once and paths are reported under the real directory.
 */
import type { FileEntry, ImageConfig } from "../types.js";
import type { FileIndex } from "../file-index.js";
import { canonicalPath } from "../paths.js";
import { isExecutable } from "./mode-text.js";

/** The PATH docker and containerd give a Linux container whose image sets none. */
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export const STANDARD_BIN_DIRS: readonly string[] = [
  "/bin",
  "/sbin",
  "/usr/bin",
  "/usr/sbin",
  "/usr/local/bin",
  "/usr/local/sbin",
];

/** The PATH a container process starts with: the last `PATH=` in Env, else the default. */
export function imagePath(config: ImageConfig): string {
  const env = config.config.Env ?? [];
  for (let k = env.length - 1; k >= 0; k--) {
    const v = env[k]!;
    if (v.startsWith("PATH=")) return v.slice(5);
  }
  return DEFAULT_PATH;
}

/**
 * Real directories to search, in PATH order then the standard dirs, each
 * resolved through symlinks, deduplicated. Relative PATH entries (relative
 * to the working directory at exec time) are ignored, as are missing dirs.
 */
export function searchDirs(files: FileIndex, config: ImageConfig): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const d of [...imagePath(config).split(":"), ...STANDARD_BIN_DIRS]) {
    if (!d.startsWith("/")) continue;
    const c = canonicalPath(d);
    if (c === null) continue;
    const real = files.resolvePath(c);
    if (real === undefined || seen.has(real) || files.get(real)?.type !== "dir") continue;
    seen.add(real);
    out.push(real);
  }
  return out;
}

export interface Reach {
  /** The executable regular file the entry leads to. */
  file: FileEntry;
  /** For symlinks and hardlinks: the real path they lead to. */
  target?: string | undefined;
}

/** What an entry in a bin dir executes, if it is an executable regular file at the end. */
export function reach(files: FileIndex, e: FileEntry): Reach | undefined {
  switch (e.type) {
    case "file":
      return isExecutable(e) ? { file: e } : undefined;
    case "hardlink": {
      const bound = files.hardlinkTarget(e);
      if (bound?.type !== "file" || !isExecutable(e)) return undefined;
      return { file: bound, target: e.linkTarget ?? bound.path };
    }
    case "symlink": {
      const r = files.resolve(e.path); // undefined on a loop or a dangling link
      if (r?.type !== "file" || !isExecutable(r)) return undefined;
      return { file: r, target: files.resolvePath(e.path) ?? r.path };
    }
    default:
      return undefined;
  }
}

/** Every (dir entry, what it executes) in the search dirs, in search order. */
export function* commandsInPath(files: FileIndex, config: ImageConfig): Generator<{ entry: FileEntry; reach: Reach }> {
  for (const dir of searchDirs(files, config)) {
    for (const e of files.children(dir)) {
      const r = reach(files, e);
      if (r !== undefined) yield { entry: e, reach: r };
    }
  }
}

/** For each name, the first executable `dir/name` in the search dirs, as a path. */
export function findCommands(files: FileIndex, config: ImageConfig, names: readonly string[]): string[] {
  const dirs = searchDirs(files, config);
  const out: string[] = [];
  for (const name of names) {
    for (const dir of dirs) {
      const p = dir === "/" ? `/${name}` : `${dir}/${name}`;
      const e = files.get(p);
      if (e !== undefined && reach(files, e) !== undefined) {
        out.push(p);
        break;
      }
    }
  }
  return out;
}
