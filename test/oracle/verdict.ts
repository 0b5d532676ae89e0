/**
 * What layerlint must say about an image, given what the runtimes did with
 * it (the oracle's result). Paths are compared as bytes; the fields are
 * compare.ts's (type, mode with setuid/setgid/sticky, owner, size, link
 * target, hardlink group, capability).
 *
 * - Both runtimes unpack it: at every path where containerd's and moby's
 *   trees agree, our entry equals theirs (or is absent when theirs is).
 *   At a path where they differ:
 *   - a path either runtime has is present in our listing ("report the file
 *     as present in any place either runtime would put it");
 *   - our entry equals containerd's entry or moby's entry; or it is
 *     containerd's with the setuid/setgid/sticky bits (and the owner or
 *     group that comes with setuid or setgid), or the capability when
 *     containerd's has none, that moby's entry has at that path or at
 *     another name of containerd's inode: the union the merge takes for a
 *     hardlink into /.wh..wh.plnk, which moby recreates from the plnk entry's
 *     header (UnpackLayer's aufsHardlinks,
 *     https://github.com/moby/moby/blob/v20.10.24/pkg/archive/diff.go) while
 *     containerd links the extracted plnk file and the link header's mode
 *     wins on the shared inode
 *     (https://github.com/containerd/containerd/blob/v1.6.20/archive/tar.go);
 *   - a setuid/setgid file or file capability that EITHER runtime puts at a
 *     path is reported at that path (the stricter verdict).
 * - Only one runtime unpacks it (the other refuses the image): our listing
 *   equals that runtime's tree.
 * - Neither unpacks it: no container can run from it; there is no tree to
 *   compare (the corpus states which cases are like that).
 * - Everywhere: a path at or under the name of a PAX `g` entry that we list
 *   and the runtimes do not is accepted when our report carries the
 *   `unsafe-tar-entry` finding with reason "pax-global" for that name.
 *   containerd's applyNaive and moby's UnpackLayer (what the oracle runs)
 *   os.RemoveAll whatever is at a `g` entry's name; docker's overlay2
 *   driver unpacks with moby's Unpack, which skips `g` entries first thing
 *   (https://github.com/moby/moby/blob/v20.10.24/pkg/archive/archive.go),
 *   and containerd's overlayfs snapshotter unpacks each layer in a
 *   directory of its own, where the RemoveAll cannot reach lower layers.
 *   layerlint keeps what is there (present wherever either puts it) and
 *   says so. This and the other named exceptions, each tied to the finding
 *   that reports the decision and to the runtime behaviour behind it
 *   (AUFS names, an opaque marker in a symlinked directory, moby's 0600
 *   missing parents, the root when only containerd applied the image), are
 *   in leeway.ts; nothing else is relaxed.
 * - User: root iff any resolver of a runtime that unpacked the image gives
 *   uid 0; otherwise `user-undetermined` iff some resolver failed because
 *   /etc/passwd or /etc/group could not be read or parsed.
 */
import type { OracleResult, RuntimeResult, TreeEntry, UserResult } from "./oracle.js";
import { OurTree, RuntimeTree, runtimeDifferences, type Leeway, type Ours, type OurFinding } from "./compare.js";
import { leeway } from "./leeway.js";
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

const SPECIAL_BITS = 0o7000;

/**
 * containerd's entry at `h` with what moby's entries of the same inode add
 * (addAufsCopy in packages/core/src/inode.ts): special bits, the owner of a
 * setuid bit, the group of a setgid bit, a capability where it has none.
 */
function unions(h: string, ct: RuntimeTree, mt: RuntimeTree): TreeEntry[] {
  const c = ct.byPath.get(h);
  if (c === undefined || c.type !== "file") return [];
  const names = (ct.groups.get(h) ?? h).split(",");
  const out: TreeEntry[] = [];
  for (const n of names) {
    const m = mt.byPath.get(n);
    if (m === undefined || m.type !== "file") continue;
    const cm = parseInt(c.mode, 8);
    const extra = parseInt(m.mode, 8) & SPECIAL_BITS & ~cm;
    const capability = c.capability ?? m.capability;
    if (extra === 0 && capability === c.capability) continue;
    out.push({
      ...c,
      mode: (cm | extra).toString(8).padStart(4, "0"),
      uid: extra & S_ISUID ? m.uid : c.uid,
      gid: extra & S_ISGID ? m.gid : c.gid,
      capability,
    });
  }
  return out;
}

/** Where the runtimes differ at `h`: present if either has it, equal to one of them (or the union). */
function eitherProblems(view: OurTree, h: string, ct: RuntimeTree, mt: RuntimeTree, rules: Leeway): string[] {
  const c = ct.byPath.get(h);
  const m = mt.byPath.get(h);
  const say = (t: RuntimeTree, e: TreeEntry | undefined) => `${t.who} ${e === undefined ? "has nothing" : `has a ${e.type} (mode ${e.mode})`}`;
  if (!view.records.has(h)) return [`${showHex(h)}: ${say(ct, c)}, ${say(mt, m)} (the runtimes differ here), layerlint lists nothing`];
  const tries: string[][] = [];
  for (const [t, e] of [[ct, c], [mt, m]] as const) {
    if (e === undefined) continue;
    tries.push(view.fieldDiffs(h, e, t));
    for (const v of rules.variants?.(h, e, t) ?? []) tries.push(view.fieldDiffs(h, v, t));
  }
  for (const u of unions(h, ct, mt)) tries.push(view.fieldDiffs(h, u, ct));
  if (tries.some((d) => d.length === 0)) return [];
  return [`${showHex(h)}: the runtimes differ here (${say(ct, c)}, ${say(mt, m)}) and layerlint matches neither: ${tries.flat().join("; ")}`];
}

/** Every way layerlint's listing and findings fall short of the runtimes' trees. */
export function treeVerdictProblems(o: OracleResult, ours: Ours): string[] {
  const view = new OurTree(ours);
  const rules = leeway(o, view, ours.findings);
  const trees = applied(o).map(({ name, r }) => new RuntimeTree(name, r.tree));
  if (trees.length === 0) return [];
  const problems = [...view.listedTwice];
  const paths = new Set([...view.records.keys(), ...trees.flatMap((t) => [...t.byPath.keys()])]);
  if (trees.length === 1) {
    for (const h of paths) problems.push(...view.problemsAt(h, trees[0]!, rules));
    return problems;
  }
  const [ct, mt] = trees as [RuntimeTree, RuntimeTree];
  const diff = runtimeDifferences(o.containerd.tree, o.moby.tree);
  for (const h of paths) problems.push(...(diff.has(h) ? eitherProblems(view, h, ct, mt, rules) : view.problemsAt(h, ct, rules)));
  return [...problems, ...stricterProblems(ours, o, diff)];
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
