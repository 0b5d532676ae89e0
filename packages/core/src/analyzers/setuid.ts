/**
 * setuid / setgid binaries in the final image.
 *
 * Regular files and hardlinks bound to them count; a setgid directory does
 * not (it only makes new files inherit the group). Files deleted or
 * overwritten by a later layer are not in the final index, so they are not
 * reported: they cannot be executed in a container.
 */
import type { FileEntry } from "../types.js";
import type { Finding, Severity } from "../finding.js";
import type { Analyzer, AnalyzerContext, RuleInfo } from "./analyzer.js";
import { isRegularFile, modeEvidence } from "./mode-text.js";
import { REF } from "../rules/references.js";

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;

export const SETUID_RULES: readonly RuleInfo[] = [
  {
    id: "setuid-binary",
    category: "setuid",
    severity: "high",
    references: [REF.cisSetuid, REF.dockleSetuid, REF.manInode, REF.dockerRunSecurityOpt],
    title: "File with the setuid bit",
    help:
      "A setuid executable runs with its owner's privileges whatever user starts it. A setuid-root binary " +
      "is a classic privilege-escalation path inside a container when it has a bug or can spawn a shell.",
    fix:
      "Remove the bit (`chmod u-s FILE` in the Dockerfile), remove the package that ships the file, or run " +
      "the container with `--security-opt no-new-privileges`.",
  },
  {
    id: "setgid-binary",
    category: "setgid",
    severity: "medium",
    references: [REF.cisSetuid, REF.dockleSetuid, REF.manInode],
    title: "File with the setgid bit",
    help:
      "A setgid executable runs with its group's privileges whatever user starts it; group root or a " +
      "privileged group (shadow, mail) gives access to files the user could not otherwise read.",
    fix: "Remove the bit (`chmod g-s FILE` in the Dockerfile) or remove the package that ships the file.",
  },
];

function setuidSeverity(e: FileEntry): Severity {
  return e.uid === 0 ? "high" : "medium";
}

function setgidSeverity(e: FileEntry): Severity {
  return e.gid === 0 ? "medium" : "low";
}

function findingsFor(ctx: AnalyzerContext, e: FileEntry): Finding[] {
  const out: Finding[] = [];
  const ev = modeEvidence(e);
  const evidence = (): Record<string, unknown> => {
    const fields: Record<string, unknown> = { ...ev, layer: e.layer };
    if (e.type === "hardlink") fields["target"] = ctx.files.hardlinkTarget(e)?.path ?? e.linkTarget;
    return fields;
  };
  if (e.mode & S_ISUID) {
    out.push({
      ruleId: "setuid-binary",
      category: "setuid",
      severity: setuidSeverity(e),
      message: `setuid file ${e.path} owned by ${ev.owner} (${ev.mode})`,
      path: e.path,
      layer: e.layer,
      inFinalImage: true,
      evidence: evidence(),
    });
  }
  if (e.mode & S_ISGID) {
    out.push({
      ruleId: "setgid-binary",
      category: "setgid",
      severity: setgidSeverity(e),
      message: `setgid file ${e.path} owned by ${ev.owner} (${ev.mode})`,
      path: e.path,
      layer: e.layer,
      inFinalImage: true,
      evidence: evidence(),
    });
  }
  return out;
}

export const setuidAnalyzer: Analyzer = {
  id: "setuid",
  rules: SETUID_RULES,
  finish(ctx) {
    const out: Finding[] = [];
    for (const e of ctx.files) {
      if ((e.mode & (S_ISUID | S_ISGID)) === 0) continue;
      if (!isRegularFile(ctx.files, e)) continue;
      out.push(...findingsFor(ctx, e));
    }
    return out;
  },
};
