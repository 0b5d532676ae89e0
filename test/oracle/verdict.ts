/**
 * What layerlint must say about an image, given what the runtimes did with
 * it (the oracle's result):
 *
 * - Both runtimes unpack it the same way: our listing equals that tree.
 * - They disagree, or one refuses the image: our listing equals
 *   containerd's tree (moby's when containerd refuses it), and wherever the
 *   two differ, a setuid/setgid file or file capability that EITHER
 *   runtime puts at a path is reported at that path ("take the stricter
 *   verdict: report the file as present in any place either runtime would
 *   put it").
 * - Neither unpacks it: no container can run from it; there is no tree to
 *   compare (the corpus states which cases are like that).
 * - User: root iff any resolver of a runtime that unpacked the image gives
 *   uid 0; otherwise `user-undetermined` iff some resolver failed because
 *   /etc/passwd or /etc/group could not be read or parsed.
 */
import type { OracleResult, RuntimeResult, TreeEntry, UserResult } from "./oracle.js";
import { runtimeDifferences, treeProblems, type Ours, type OurFinding } from "./compare.js";
import { fromHex, hexName, showHex } from "./names.js";

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;

function applied(o: OracleResult): { name: string; r: RuntimeResult }[] {
  return [
    { name: "containerd", r: o.containerd },
    { name: "moby", r: o.moby },
  ].filter((x) => x.r.error === null);
}

/** Which runtimes unpack the image without an error. */
export function appliedBy(o: OracleResult): "both" | "containerd-only" | "moby-only" | "neither" {
  const c = o.containerd.error === null;
  const m = o.moby.error === null;
  return c && m ? "both" : c ? "containerd-only" : m ? "moby-only" : "neither";
}

function findingAt(findings: readonly OurFinding[], rules: readonly string[], hex: string): boolean {
  return findings.some((f) => rules.includes(f.ruleId) && f.path !== undefined && hexName(f.path) === hex);
}

/** Stricter verdict where the runtimes differ: each privilege either one grants is reported there. */
function stricterProblems(ours: Ours, o: OracleResult, paths: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const { name, r } of applied(o)) {
    for (const e of r.tree) {
      if (!paths.has(e.path) || e.type !== "file") continue;
      const mode = parseInt(e.mode, 8);
      const need: [boolean, string[], string][] = [
        [(mode & S_ISUID) !== 0, ["setuid-binary"], "setuid"],
        [(mode & S_ISGID) !== 0, ["setgid-binary"], "setgid"],
        [e.capability !== null, ["file-capability", "file-capability-malformed"], "a file capability"],
      ];
      for (const [has, rules, what] of need) {
        if (has && !findingAt(ours.findings, rules, e.path)) {
          problems.push(`${showHex(e.path)}: ${name} makes it ${what} (the runtimes differ here), layerlint reports no ${rules[0]} there`);
        }
      }
    }
  }
  return problems;
}

/** Every way layerlint's listing and findings fall short of the runtimes' trees. */
export function treeVerdictProblems(o: OracleResult, ours: Ours): string[] {
  const c = o.containerd;
  const m = o.moby;
  if (c.error === null && m.error === null) {
    const diff = runtimeDifferences(c.tree, m.tree);
    return [...treeProblems(ours, c.tree, "containerd"), ...stricterProblems(ours, o, diff)];
  }
  if (c.error === null) return treeProblems(ours, c.tree, "containerd");
  if (m.error === null) return treeProblems(ours, m.tree, "moby");
  return [];
}

function resolvers(o: OracleResult): [string, UserResult][] {
  return applied(o).flatMap(({ r }) => Object.entries(r.users));
}

export type UserVerdict = "root" | "undetermined" | "non-root";

/** The user verdict the runtimes imply (undefined: neither unpacks the image). */
export function runtimeUserVerdict(o: OracleResult): UserVerdict | undefined {
  const rs = resolvers(o);
  if (rs.length === 0) return undefined;
  if (rs.some(([, u]) => u.uid === 0)) return "root";
  if (rs.some(([, u]) => u.kind === "unreadable")) return "undetermined";
  return "non-root";
}

export function ourUserVerdict(findings: readonly OurFinding[]): UserVerdict {
  if (findings.some((f) => f.ruleId === "root-user")) return "root";
  if (findings.some((f) => f.ruleId === "user-undetermined")) return "undetermined";
  return "non-root";
}

export function userProblems(o: OracleResult, findings: readonly OurFinding[]): string[] {
  const want = runtimeUserVerdict(o);
  if (want === undefined) return [];
  const got = ourUserVerdict(findings);
  if (want === got) return [];
  const detail = resolvers(o)
    .map(([k, u]) => `${k}: ${u.uid !== null ? `uid ${u.uid}` : `${u.kind} (${u.error})`}`)
    .join("; ");
  return [`user: runtimes say ${want} (${detail}), layerlint says ${got}`];
}

const SHELLS = new Set("sh bash dash ash zsh ksh mksh csh tcsh fish rbash hush".split(" "));
const BIN_DIRS = new Set(["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]);

function isShell(e: TreeEntry): boolean {
  if (e.type !== "file") return false;
  const p = fromHex(e.path).toString("latin1");
  const i = p.lastIndexOf("/");
  return BIN_DIRS.has(p.slice(0, i)) && SHELLS.has(p.slice(i + 1));
}

/**
 * The exit code `scan --forbid shell,setuid --require-non-root` must give,
 * from the runtimes' trees: 1 when either puts a setuid/setgid file or a
 * shell in the image, or the user is root or undetermined.
 */
export function runtimeGate(o: OracleResult): 0 | 1 | undefined {
  const user = runtimeUserVerdict(o);
  if (user === undefined) return undefined;
  if (user !== "non-root") return 1;
  for (const { r } of applied(o)) {
    for (const e of r.tree) {
      if (e.type === "file" && (parseInt(e.mode, 8) & (S_ISUID | S_ISGID)) !== 0) return 1;
      if (isShell(e)) return 1;
    }
  }
  return 0;
}
