/**
 * Tool presence: shells, package managers, interpreters, download and
 * network tools in the final image.
 *
 * Where: the command search (command-search.ts), the same one the
 * base-class label uses. What: a catalogue name (tool-catalog.ts) whose
 * entry is an executable regular file, or a symlink or hardlink that
 * resolves (loop-safe) to one.
 *
 * One tool, one finding: a finding names one binary (one inode: every
 * name of a hardlinked file, every symlink to it) or one busybox applet
 * (the binary's own `busybox wget`, and every link that runs it as
 * `wget`), and `evidence.paths` lists every path that reaches it, so a gate
 * on "no shells" still sees every way to reach one while a person reads one
 * line per tool. Its path is the binary's (busybox, or the real file when
 * it is in a searched directory), else the first name found.
 *
 * busybox: its compiled-in applets count even without applet links
 * (busybox.ts), reported on the busybox path with `evidence.via`. The applet
 * table is found while the layer streams (onContent) and only the name list
 * is kept, keyed by the walk-time entry and found again through ctx.origin:
 * a busybox is never retained whole. A busybox whose table could not be
 * read (not captured, only in part, none found, past the scan's
 * BUSYBOX_SCAN_BUDGET of busybox bytes) is assumed to have a shell,
 * and a tools-undetermined gap fails the tool gate checks (analysis.ts).
 */
import type { FileEntry } from "../types.js";
import type { Finding } from "../finding.js";
import type { Analyzer, AnalyzerContext, RuleInfo } from "./analyzer.js";
import { basename } from "../paths.js";
import { TOOL_GATE_CHECKS } from "../analysis.js";
import { TOOL_RULE_IDS, TOOL_RULES, TOOL_SEVERITY, categoryLabel, matchTool, type ToolMatch } from "./tool-catalog.js";
import { BUSYBOX, BUSYBOX_SCAN_BUDGET, BusyboxAppletScanner, busyboxWantsContent, findBusyboxBinaries, isBusyboxFile } from "./busybox.js";
import { commandsInPath } from "./command-search.js";
import { REF } from "../rules/references.js";

/** What the walk saw of one busybox file version. */
export interface AppletRecord {
  /** The applet names; undefined when no table was found. */
  applets: string[] | undefined;
  /** The bytes seen were the whole file. */
  complete: boolean;
  /** Why the bytes were not scanned at all (the scan's BUSYBOX_SCAN_BUDGET was spent). */
  unread?: string | undefined;
}

/** Per scan: applet lists by walk-time entry (ctx.origin finds them again). */
export interface ToolsState {
  applets: Map<FileEntry, AppletRecord>;
  /** busybox bytes scanned so far (BUSYBOX_SCAN_BUDGET). */
  scanned: number;
}

/** The applets of a final busybox binary, undefined when its content was never seen. */
export type AppletLookup = (busybox: FileEntry) => AppletRecord | undefined;

export const TOOLS_UNDETERMINED_RULE: RuleInfo = {
  id: "tools-undetermined",
  category: "analysis",
  severity: "high",
  references: [REF.busybox, REF.cweFailOpen],
  title: "A busybox's applet list could not be read",
  help:
    "busybox is a shell, a downloader, a network tool and a package manager in one binary; which of them depends " +
    "on its compiled-in applet list. The scan could not read that list (the binary is over the read cap, its " +
    "content was not captured, the scan's budget of busybox bytes was spent, or no table was found), so it assumes a shell and the tool gate checks fail.",
  fix: "Remove busybox from the final image, or keep it a regular file of at most 4 MiB named busybox.",
};

const MiB = 1024 * 1024;

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
function busyboxFindings(bb: FileEntry, rec: AppletRecord | undefined): Finding[] {
  const out: Finding[] = [];
  const why =
    rec === undefined
      ? bb.size > 0 && busyboxWantsContent(bb) === 0
        ? "over the 4 MiB read cap"
        : "content not captured"
      : rec.unread !== undefined
        ? rec.unread
        : rec.applets === undefined
        ? "applet list not found"
        : !rec.complete
          ? "content read only in part"
          : undefined;
  if (rec?.applets === undefined) {
    // Every busybox build we know has a shell.
    const m = matchTool("sh", true)!;
    out.push(
      toolFinding(bb.path, bb.layer, m, { applet: "sh", via: BUSYBOX, assumed: true, reason: why },
        `${categoryLabel(m.tool.category)} sh is assumed in busybox ${bb.path} (${why})`),
    );
  } else {
    for (const applet of rec.applets) {
      const m = matchTool(applet, true);
      if (m === undefined) continue;
      out.push(
        toolFinding(bb.path, bb.layer, m, { applet, via: BUSYBOX },
          `${categoryLabel(m.tool.category)} ${applet} is a busybox applet in ${bb.path}`),
      );
    }
  }
  if (why !== undefined) {
    out.push({
      ruleId: TOOLS_UNDETERMINED_RULE.id,
      category: "analysis",
      severity: "high",
      message: `the applets of busybox ${bb.path} are unknown (${why}): it may hold any shell, download, network or package tool`,
      path: bb.path,
      layer: bb.layer,
      inFinalImage: true,
      evidence: { reason: why, affects: [...TOOL_GATE_CHECKS] },
    });
  }
  return out;
}

/** A finding for one path, and what it reaches: one inode, or one applet of one busybox inode. */
interface PathFinding {
  finding: Finding;
  key: string;
  /** Sorts first among the paths of its key: the binary itself. */
  primary: boolean;
}

/** The object that stands for an inode: every name of a hardlinked file maps to one (FileIndex.hardlinkTarget). */
function inodeOf(files: AnalyzerContext["files"], e: FileEntry): FileEntry {
  return e.type === "hardlink" ? (files.hardlinkTarget(e) ?? e) : e;
}

/**
 * Every tool finding for the final image: the command search, then each
 * busybox binary's applets (`applets`: what the walk saw; without it,
 * every busybox counts as unread); then one finding per binary or applet
 * with all its paths (module comment).
 */
export function toolFindings(ctx: AnalyzerContext, applets: AppletLookup = () => undefined): Finding[] {
  const { files } = ctx;
  const ids = new Map<FileEntry, number>();
  const idOf = (e: FileEntry) => {
    const inode = inodeOf(files, e);
    let id = ids.get(inode);
    if (id === undefined) ids.set(inode, (id = ids.size));
    return id;
  };
  const found: PathFinding[] = [];
  for (const { entry: e, reach: r } of commandsInPath(files, ctx.config)) {
    const name = basename(e.path);
    const viaBusybox = isBusyboxFile(r.file);
    const m = matchTool(name, viaBusybox);
    if (m === undefined) continue;
    const extra = viaBusybox ? { target: r.target, via: BUSYBOX, applet: name } : { target: r.target };
    const finding = toolFinding(e.path, e.layer, m, extra, `${categoryLabel(m.tool.category)} ${e.path} is present`);
    const key = viaBusybox ? `applet\0${idOf(r.file)}\0${name}` : `file\0${idOf(r.file)}\0${finding.ruleId}`;
    found.push({ finding, key, primary: r.target === undefined });
  }
  for (const bb of findBusyboxBinaries(files)) {
    for (const f of busyboxFindings(bb, applets(bb))) {
      const applet = f.evidence?.["applet"];
      const key = typeof applet === "string" ? `applet\0${idOf(bb)}\0${applet}` : `other\0${f.ruleId}\0${f.path}`;
      found.push({ finding: f, key, primary: bb.type !== "hardlink" });
    }
  }
  return oneFindingPerTool(found).sort(
    (a, b) =>
      cmp(a.path ?? "", b.path ?? "") || cmp(String(a.evidence?.["tool"]), String(b.evidence?.["tool"])) || cmp(a.ruleId, b.ruleId),
  );
}

/**
 * Merges the findings of one key: the binary's (else the first found)
 * stands for all, `evidence.paths` lists them, its own path first, and its
 * message names the others. A path found twice counts once.
 */
function oneFindingPerTool(found: readonly PathFinding[]): Finding[] {
  const groups = new Map<string, PathFinding[]>();
  for (const p of found) {
    const g = groups.get(p.key);
    if (g === undefined) groups.set(p.key, [p]);
    else if (!g.some((q) => q.finding.path === p.finding.path)) g.push(p);
  }
  return [...groups.entries()].map(([key, g]) => {
    if (key.startsWith("other\0")) return g[0]!.finding;
    const head = g.find((p) => p.primary) ?? g[0]!;
    const others = g.filter((p) => p !== head).map((p) => p.finding.path!).sort(cmp);
    const f = head.finding;
    const message = others.length === 0 ? f.message : `${f.message}; also reached as ${others.join(", ")}`;
    return { ...f, message, evidence: { ...f.evidence, paths: [f.path!, ...others] } };
  });
}

export const toolsAnalyzer: Analyzer<ToolsState> = {
  id: "tools",
  rules: [...TOOL_RULES, TOOLS_UNDETERMINED_RULE],
  wantsContent: busyboxWantsContent,
  createState: () => ({ applets: new Map(), scanned: 0 }),
  onContent(e, bytes, state) {
    if (state.scanned + bytes.length > BUSYBOX_SCAN_BUDGET) {
      state.applets.set(e, { applets: undefined, complete: false, unread: `over the scan's ${BUSYBOX_SCAN_BUDGET / MiB} MiB of busybox reads` });
      return;
    }
    state.scanned += bytes.length;
    const scanner = new BusyboxAppletScanner();
    scanner.push(bytes);
    state.applets.set(e, { applets: scanner.result(), complete: bytes.length === e.size });
  },
  onContentCopy(copy, original, state) {
    const a = state.applets.get(original);
    if (a !== undefined) state.applets.set(copy, a);
  },
  finish(ctx, state) {
    return toolFindings(ctx, (bb) => state.applets.get(ctx.origin(bb)));
  },
};

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
