/**
 * Tool presence: shells, package managers, interpreters, download and
 * network tools in the final image (issue 3, analyzer 3; DESIGN.md §3).
 *
 * Where: the image's own PATH (config Env, or the Docker default) plus the
 * standard bin dirs, each resolved through symlinks and deduplicated, so a
 * merged /usr (`/bin → usr/bin`) lists /usr/bin once and paths are reported
 * under the real directory.
 * What: a catalog name (tool-catalog.ts) whose entry is an executable
 * regular file, or a symlink or hardlink that resolves (loop-safe) to one.
 * Each distinct path is its own finding, links carrying `evidence.target`,
 * so a gate on "no shells" sees every way to reach one.
 * busybox: its compiled-in applets count even without applet links
 * (busybox.ts), reported on the busybox path with `evidence.via`.
 */
import type { FileEntry, ImageConfig } from "../types.js";
import type { FileIndex } from "../file-index.js";
import type { Finding } from "../finding.js";
import type { Analyzer, AnalyzerContext } from "./analyzer.js";
import { basename, canonicalPath } from "../paths.js";
import { isExecutable } from "./mode-text.js";
import {
  TOOL_RULE_IDS,
  TOOL_RULES,
  TOOL_SEVERITY,
  categoryLabel,
  matchTool,
  type ToolMatch,
} from "./tool-catalog.js";
import { BUSYBOX, busyboxWantsContent, findBusyboxBinaries, isBusyboxFile, parseBusyboxApplets } from "./busybox.js";

/** Docker's default PATH for Linux containers when the image sets none. */
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

interface Reach {
  /** The executable regular file the entry leads to. */
  file: FileEntry;
  /** For symlinks and hardlinks: the real path they lead to. */
  target?: string | undefined;
}

/** What an entry in a bin dir executes, if it is an executable regular file at the end. */
function reach(files: FileIndex, e: FileEntry): Reach | undefined {
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

function toolFinding(path: string, layer: number, m: ToolMatch, extra: Record<string, unknown>, message: string): Finding {
  const evidence: Record<string, unknown> = { tool: m.tool.name };
  if (m.version !== undefined) evidence["version"] = m.version;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) evidence[k] = v;
  return {
    ruleId: TOOL_RULE_IDS[m.tool.category],
    category: m.tool.category,
    severity: TOOL_SEVERITY[m.tool.category],
    message,
    path,
    layer,
    inFinalImage: true,
    evidence,
  };
}

/** Findings for a busybox binary's own applets, on the binary's path. */
function busyboxFindings(ctx: AnalyzerContext, bb: FileEntry): Finding[] {
  const bytes = ctx.content(bb);
  const applets = bytes === undefined ? undefined : parseBusyboxApplets(bytes);
  if (applets === undefined) {
    // Unread (too large) or no applet table found: every busybox build we know has a shell.
    const m = matchTool("sh", true)!;
    const why = bytes === undefined ? "content not read" : "applet list not found";
    return [
      toolFinding(bb.path, bb.layer, m, { applet: "sh", via: BUSYBOX, assumed: true, reason: why },
        `${categoryLabel(m.tool.category)} sh is assumed in busybox ${bb.path} (${why})`),
    ];
  }
  const out: Finding[] = [];
  for (const applet of applets) {
    const m = matchTool(applet, true);
    if (m === undefined) continue;
    out.push(
      toolFinding(bb.path, bb.layer, m, { applet, via: BUSYBOX },
        `${categoryLabel(m.tool.category)} ${applet} is a busybox applet in ${bb.path}`),
    );
  }
  return out;
}

export const toolsAnalyzer: Analyzer = {
  id: "tools",
  rules: TOOL_RULES,
  wantsContent: busyboxWantsContent,
  finish(ctx) {
    const { files } = ctx;
    const out: Finding[] = [];
    const seen = new Set<string>();
    const add = (f: Finding) => {
      const key = `${f.path}\0${String(f.evidence?.["tool"])}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push(f);
    };
    for (const dir of searchDirs(files, ctx.config)) {
      for (const e of files.children(dir)) {
        const name = basename(e.path);
        const r = reach(files, e);
        if (r === undefined) continue;
        const viaBusybox = isBusyboxFile(r.file);
        const m = matchTool(name, viaBusybox);
        if (m === undefined) continue;
        const extra = viaBusybox ? { target: r.target, via: BUSYBOX, applet: name } : { target: r.target };
        add(toolFinding(e.path, e.layer, m, extra, `${categoryLabel(m.tool.category)} ${e.path} is present`));
      }
    }
    for (const bb of findBusyboxBinaries(files)) for (const f of busyboxFindings(ctx, bb)) add(f);
    return out.sort((a, b) => cmp(a.path ?? "", b.path ?? "") || cmp(String(a.evidence?.["tool"]), String(b.evidence?.["tool"])));
  },
};

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
