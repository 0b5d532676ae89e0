/**
 * Permissions (issue 3, analyzer 7): world-writable files, world-writable
 * directories without the sticky bit, and tar entries the walk or merge
 * refused or redirected (UnsafeEntry).
 */
import type { UnsafeEntry } from "../types.js";
import type { Finding, Severity } from "../finding.js";
import type { Analyzer, RuleInfo } from "./analyzer.js";
import { isRegularFile, modeEvidence } from "./mode-text.js";

const S_IWOTH = 0o002;
const S_ISVTX = 0o1000;

export const PERMISSION_RULES: readonly RuleInfo[] = [
  {
    id: "world-writable-file",
    category: "permissions",
    title: "World-writable file",
    help:
      "Any user in the container can change the file: a world-writable script, binary or config is a " +
      "privilege-escalation or persistence path for whatever runs it.",
    fix: "Remove the write bit for others (`chmod o-w FILE`) in the layer that creates the file.",
  },
  {
    id: "world-writable-dir",
    category: "permissions",
    title: "World-writable directory without the sticky bit",
    help:
      "Without the sticky bit any user can delete or replace other users' files in the directory, " +
      "including files a privileged process later reads or executes.",
    fix: "Remove the write bit for others (`chmod o-w DIR`), or set the sticky bit like /tmp (`chmod 1777 DIR`).",
  },
  {
    id: "unsafe-tar-entry",
    category: "permissions",
    title: "Unsafe or unsupported tar entry in a layer",
    help:
      "A layer holds an entry that escapes the root (`../`), writes through a symlink or links outside its " +
      "directory, or that the layer format does not allow (bad whiteout, sparse, unknown type). Runtimes " +
      "differ on such entries; hostile layers use them to write outside the image.",
    fix: "Rebuild the layer with a standard tool (docker build, buildah, ko) and check what produced the entry.",
  },
];

function unsafeSeverity(u: UnsafeEntry): Severity {
  return u.reason === "path-escape" || u.reason === "link-escape" ? "high" : "medium";
}

export const permissionsAnalyzer: Analyzer = {
  id: "permissions",
  rules: PERMISSION_RULES,
  finish(ctx) {
    const out: Finding[] = [];
    for (const e of ctx.files) {
      if ((e.mode & S_IWOTH) === 0) continue;
      if (e.type === "dir") {
        if (e.mode & S_ISVTX) continue;
        const ev = modeEvidence(e);
        out.push({
          ruleId: "world-writable-dir",
          category: "permissions",
          severity: "medium",
          message: `directory ${e.path} is world-writable without the sticky bit (${ev.mode})`,
          path: e.path,
          layer: e.layer,
          inFinalImage: true,
          evidence: { ...ev },
        });
      } else if (isRegularFile(ctx.files, e)) {
        const ev = modeEvidence(e);
        out.push({
          ruleId: "world-writable-file",
          category: "permissions",
          severity: "medium",
          message: `file ${e.path} is world-writable (${ev.mode})`,
          path: e.path,
          layer: e.layer,
          inFinalImage: true,
          evidence: { ...ev },
        });
      }
    }
    for (const u of ctx.unsafe) {
      const evidence: Record<string, unknown> = { reason: u.reason };
      if (u.detail !== undefined) evidence["detail"] = u.detail;
      out.push({
        ruleId: "unsafe-tar-entry",
        category: "permissions",
        severity: unsafeSeverity(u),
        message: `layer ${u.layer} has an unsafe tar entry ${JSON.stringify(u.name)} (${u.reason}${u.detail ? `: ${u.detail}` : ""})`,
        path: u.name,
        layer: u.layer,
        inFinalImage: false,
        evidence,
      });
    }
    return out;
  },
};
