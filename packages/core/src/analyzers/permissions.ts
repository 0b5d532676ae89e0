/**
 * Permissions: world-writable files, world-writable directories without the
 * sticky bit, and tar entries the walk or the merge had to interpret
 * (UnsafeEntry): one finding per listed entry, and per (layer, reason) one
 * more that counts the entries past the list (AnalyzerContext.unsafeCounts),
 * so a layer of a million such entries gives a bounded report with the
 * exact count.
 */
import type { UnsafeEntry, UnsafeReason } from "../types.js";
import { MAX_UNSAFE_LISTED, type UnsafeCount } from "../unsafe-log.js";
import type { Finding, Severity } from "../finding.js";
import type { Analyzer, RuleInfo } from "./analyzer.js";
import { isRegularFile, modeEvidence } from "./mode-text.js";
import { REF } from "../rules/references.js";

const S_IWOTH = 0o002;
const S_ISVTX = 0o1000;

export const PERMISSION_RULES: readonly RuleInfo[] = [
  {
    id: "world-writable-file",
    category: "permissions",
    severity: "medium",
    references: [REF.cwePermissions, REF.manChmod],
    title: "World-writable file",
    help:
      "Any user in the container can change the file: a world-writable script, binary or config is a " +
      "privilege-escalation or persistence path for whatever runs it.",
    fix: "Remove the write bit for others (`chmod o-w FILE`) in the layer that creates the file.",
  },
  {
    id: "world-writable-dir",
    category: "permissions",
    severity: "medium",
    references: [REF.cwePermissions, REF.manInode],
    title: "World-writable directory without the sticky bit",
    help:
      "Without the sticky bit any user can delete or replace other users' files in the directory, " +
      "including files a privileged process later reads or executes.",
    fix: "Remove the write bit for others (`chmod o-w DIR`), or set the sticky bit like /tmp (`chmod 1777 DIR`).",
  },
  {
    id: "unsafe-tar-entry",
    category: "permissions",
    severity: "high",
    references: [REF.ociLayer, REF.manTar, REF.cwePathTraversal, REF.cweLinkFollowing],
    title: "Unsafe or unsupported tar entry in a layer",
    help:
      "A layer holds an entry that escapes the root (`../`), writes through a symlink or links outside its " +
      "directory, or that the layer format does not allow (bad whiteout, a hardlink to nothing, names under " +
      "`.wh..wh.*`, a PAX global header, sparse, unknown type). Runtimes differ on such entries; hostile layers " +
      `use them to write outside the image. High when the entry lands where its name does not say (escapes, writes ` +
      `through links), medium when runtimes disagree or refuse it. Past the first ${MAX_UNSAFE_LISTED} per layer and ` +
      "kind, one finding gives the count.",
    fix: "Rebuild the layer with a standard tool (docker build, buildah, ko) and check what produced the entry.",
  },
];

/**
 * High: the entry is placed somewhere its name does not say (a name that
 * climbs above the root, a write through a symlinked parent, a hardlink
 * target outside the root): the classic ways a hostile layer writes where a
 * reviewer does not look. Medium: the runtimes disagree or refuse the layer
 * (a hardlink to nothing, names under `.wh..wh.*` that moby skips, a PAX
 * global header whose path the runtimes apply as an entry, removing what is
 * there), or the layer format forbids the entry. Keyed by every reason, so
 * a new one cannot go without a severity; "pax-global" (a PAX 'g' header,
 * which Go's archive/tar returns as an entry:
 * https://github.com/golang/go/blob/master/src/archive/tar/reader.go) is
 * named here whether or not the reader reports it.
 */
const UNSAFE_SEVERITY: { readonly [R in UnsafeReason | "pax-global"]: Severity } = {
  "path-escape": "high",
  "link-escape": "high",
  "invalid-hardlink": "medium",
  "aufs-name": "medium",
  "pax-global": "medium",
  "invalid-whiteout": "medium",
  "unsupported-type": "medium",
  sparse: "medium",
};

export function unsafeSeverity(reason: UnsafeReason): Severity {
  return UNSAFE_SEVERITY[reason];
}

function unsafeFinding(u: UnsafeEntry): Finding {
  const evidence: Record<string, unknown> = { reason: u.reason };
  if (u.detail !== undefined) evidence["detail"] = u.detail;
  return {
    ruleId: "unsafe-tar-entry",
    category: "permissions",
    severity: unsafeSeverity(u.reason),
    message: `layer ${u.layer} has an unsafe tar entry ${JSON.stringify(u.name)} (${u.reason}${u.detail ? `: ${u.detail}` : ""})`,
    path: u.name,
    layer: u.layer,
    inFinalImage: false,
    evidence,
  };
}

/** The entries of one (layer, reason) past those listed, as one finding that counts them (FindingAggregate). */
function unlistedFinding(c: UnsafeCount): Finding | undefined {
  const more = c.total - c.listed;
  if (more <= 0) return undefined;
  const severity = unsafeSeverity(c.reason);
  return {
    ruleId: "unsafe-tar-entry",
    category: "permissions",
    severity,
    message: `layer ${c.layer} has ${more} more unsafe tar entr${more === 1 ? "y" : "ies"} (${c.reason}) past the first ${c.listed} listed: ${c.total} in all`,
    layer: c.layer,
    inFinalImage: false,
    evidence: { reason: c.reason, total: c.total, listed: c.listed },
    aggregate: { count: more, inFinalImage: 0, bySeverity: { [severity]: more }, samplePaths: [] },
  };
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
    for (const u of ctx.unsafe) out.push(unsafeFinding(u));
    for (const c of ctx.unsafeCounts) {
      const f = unlistedFinding(c);
      if (f !== undefined) out.push(f);
    }
    return out;
  },
};
