/**
 * Compares layerlint's final filesystem with a tree a runtime unpacked.
 *
 * Compared for every path (the root "/" included): presence, type, mode
 * (permission + setuid/setgid/sticky bits), uid, gid, size of regular
 * files, symlink target bytes, which names share an inode (hardlinks) and
 * the security.capability xattr.
 *
 * Not compared, and why:
 * - mtime/atime: `files --format json` has no times;
 * - device numbers: `files` has none (the type is compared);
 * - the size of a directory (the filesystem's block size) and of a symlink
 *   (lstat gives the target's length; tar and `files` say 0): the link
 *   target bytes are compared instead;
 * - capability bytes, while `files` has no capability field: presence is
 *   compared through the scan's file-capability(-malformed) findings, and
 *   the bytes too once a record carries `capability` (hex).
 */
import type { TreeEntry } from "./oracle.js";
import { hexName, showHex } from "./names.js";

/** One line of `layerlint files --format json`. */
export interface OurRecord {
  path: string;
  type: string;
  mode: string;
  uid: number;
  gid: number;
  size: number;
  link?: string;
  /** Hex of security.capability, if the listing carries it. */
  capability?: string;
}

export interface OurFinding {
  ruleId: string;
  path?: string;
  evidence?: Record<string, unknown>;
}

/** layerlint's view of one image. */
export interface Ours {
  /** `files --format json`, which leaves out "/". */
  files: OurRecord[];
  /** The root directory "/" (read through the core library). */
  root: OurRecord;
  findings: OurFinding[];
}

const CAP_RULES = new Set(["file-capability", "file-capability-malformed"]);

interface Norm {
  type: string;
  mode: string;
  uid: number;
  gid: number;
  size: number | null;
  link: string | null;
  capability: string | null;
}

/** Hex path → names sharing its inode (sorted, itself included), regular files only. */
function runtimeGroups(tree: readonly TreeEntry[]): Map<string, string> {
  const byInode = new Map<number, string[]>();
  for (const e of tree) if (e.type === "file") byInode.set(e.inode, [...(byInode.get(e.inode) ?? []), e.path]);
  const out = new Map<string, string>();
  for (const names of byInode.values()) {
    const key = names.sort().join(",");
    for (const n of names) out.set(n, key);
  }
  return out;
}

function ourGroups(recs: readonly OurRecord[], present: ReadonlySet<string>): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  for (const r of recs) {
    if (r.type !== "hardlink" || r.link === undefined) continue;
    const a = find(hexName(r.path));
    const b = find(hexName(r.link));
    if (a !== b) parent.set(a, b);
  }
  const groups = new Map<string, string[]>();
  for (const r of recs) {
    if (r.type !== "file" && r.type !== "hardlink") continue;
    const h = hexName(r.path);
    const root = find(h);
    groups.set(root, [...(groups.get(root) ?? []), h]);
  }
  const out = new Map<string, string>();
  for (const names of groups.values()) {
    const key = names.filter((n) => present.has(n)).sort().join(",");
    for (const n of names) out.set(n, key);
  }
  return out;
}

function normTheirs(e: TreeEntry): Norm {
  return {
    type: e.type,
    mode: e.mode,
    uid: e.uid,
    gid: e.gid,
    size: e.type === "file" ? e.size : null,
    link: e.type === "symlink" ? e.link : null,
    capability: e.capability,
  };
}

function normOurs(r: OurRecord, capPaths: ReadonlySet<string>): Norm {
  const type = r.type === "hardlink" ? "file" : r.type;
  const h = hexName(r.path);
  // Presence only unless the listing carries the bytes; the runtime side is
  // reduced to presence to match (see treeProblems).
  const capability = r.capability !== undefined ? r.capability : capPaths.has(h) ? "present" : null;
  return {
    type,
    mode: r.mode,
    uid: r.uid,
    gid: r.gid,
    size: type === "file" ? r.size : null,
    link: r.type === "symlink" && r.link !== undefined ? hexName(r.link) : null,
    capability,
  };
}

/** Named, narrow exceptions to exact equality (verdict.ts says why each holds). */
export interface Leeway {
  /** Whether our entry at `h` may stand where `t` has nothing. */
  kept?: (h: string, t: RuntimeTree) => boolean;
  /** Other entries than `e` that our entry at `h` may equal. */
  variants?: (h: string, e: TreeEntry, t: RuntimeTree) => TreeEntry[];
}

/** One runtime's tree, by hex path, with its hardlink groups. */
export class RuntimeTree {
  readonly byPath: Map<string, TreeEntry>;
  readonly groups: Map<string, string>;

  constructor(
    readonly who: string,
    entries: readonly TreeEntry[],
  ) {
    this.byPath = new Map(entries.map((e) => [e.path, e]));
    this.groups = runtimeGroups(entries);
  }
}

/** layerlint's view, by hex path, compared entry by entry with runtime trees. */
export class OurTree {
  readonly records = new Map<string, OurRecord>();
  /** Paths layerlint lists more than once (always a problem). */
  readonly listedTwice: string[] = [];
  private readonly capPaths: Set<string>;
  private readonly bytesKnown: boolean;
  private readonly groupsFor = new Map<RuntimeTree, Map<string, string>>();

  constructor(private readonly ours: Ours) {
    this.capPaths = new Set(ours.findings.filter((f) => CAP_RULES.has(f.ruleId) && f.path !== undefined).map((f) => hexName(f.path!)));
    this.bytesKnown = ours.files.some((r) => r.capability !== undefined);
    for (const r of [ours.root, ...ours.files]) {
      const h = hexName(r.path);
      if (this.records.has(h)) this.listedTwice.push(`${r.path}: listed twice by layerlint`);
      this.records.set(h, r);
    }
  }

  /** Every name layerlint lists for `h`'s inode (hex paths, `h` included). */
  inodeNames(h: string): string[] {
    const all = ourGroups(this.ours.files, new Set(this.records.keys())).get(h);
    return all === undefined || all === "" ? [h] : all.split(",");
  }

  /** Our hardlink groups, reduced to the names `t` has. */
  private groups(t: RuntimeTree): Map<string, string> {
    let g = this.groupsFor.get(t);
    if (g === undefined) {
      const present = new Set([...this.records.keys()].filter((h) => t.byPath.has(h)));
      this.groupsFor.set(t, (g = ourGroups(this.ours.files, present)));
    }
    return g;
  }

  /**
   * How our entry at `h` differs from `e`, an entry of `t` there (or a
   * variant of it; `group` overrides its hardlink group): one line per field.
   * Empty when they are equal, or when we list nothing at `h`.
   */
  fieldDiffs(h: string, e: TreeEntry, t: RuntimeTree, group = t.groups.get(h)): string[] {
    const r = this.records.get(h);
    if (r === undefined) return [];
    const problems: string[] = [];
    const a = normOurs(r, this.capPaths);
    const b = normTheirs(e);
    // Presence only unless the listing carries the bytes (see normOurs).
    if (!this.bytesKnown && b.capability !== null) b.capability = "present";
    for (const k of Object.keys(a) as (keyof Norm)[]) {
      if (a[k] !== b[k]) problems.push(`${showHex(h)}: ${k} layerlint=${JSON.stringify(a[k])} ${t.who}=${JSON.stringify(b[k])}`);
    }
    const ours = this.groups(t).get(h);
    if (b.type === "file" && ours !== group) {
      const show = (g: string | undefined) => (g ?? "").split(",").map(showHex).join(" ");
      problems.push(`${showHex(h)}: shares its inode with [${show(ours)}] in layerlint, [${show(group)}] in ${t.who}`);
    }
    return problems;
  }

  /**
   * Every difference between our entry at `h` and `t`'s: one missing on
   * either side, or differing fields. `rules` may excuse an entry we list
   * and `t` does not have (`kept`), or accept other entries than `t`'s
   * there (`variants`).
   */
  problemsAt(h: string, t: RuntimeTree, rules: Leeway = {}): string[] {
    const e = t.byPath.get(h);
    const r = this.records.get(h);
    if (e === undefined && r === undefined) return [];
    if (r === undefined) return [`${showHex(h)}: ${t.who} has a ${e!.type} (mode ${e!.mode}), layerlint lists nothing`];
    if (e === undefined) return rules.kept?.(h, t) ? [] : [`${showHex(h)}: layerlint lists a ${r.type} (mode ${r.mode}), ${t.who} has nothing there`];
    const d = this.fieldDiffs(h, e, t);
    if (d.length === 0 || (rules.variants?.(h, e, t) ?? []).some((v) => this.fieldDiffs(h, v, t).length === 0)) return [];
    return d;
  }
}

/**
 * Every difference between layerlint's view and one runtime's tree, one
 * readable line each ("path: field ours=… containerd=…").
 */
export function treeProblems(ours: Ours, theirs: readonly TreeEntry[], who: string, rules?: Leeway): string[] {
  const view = new OurTree(ours);
  const t = new RuntimeTree(who, theirs);
  const problems = [...view.listedTwice];
  for (const h of new Set([...t.byPath.keys(), ...view.records.keys()])) problems.push(...view.problemsAt(h, t, rules));
  return problems;
}

/** Hex paths where the two runtimes' trees differ (presence or any compared field). */
export function runtimeDifferences(a: readonly TreeEntry[], b: readonly TreeEntry[]): Set<string> {
  const out = new Set<string>();
  const ma = new Map(a.map((e) => [e.path, e]));
  const mb = new Map(b.map((e) => [e.path, e]));
  const ga = runtimeGroups(a);
  const gb = runtimeGroups(b);
  for (const p of new Set([...ma.keys(), ...mb.keys()])) {
    const x = ma.get(p);
    const y = mb.get(p);
    if (x === undefined || y === undefined) {
      out.add(p);
      continue;
    }
    if (JSON.stringify(normTheirs(x)) !== JSON.stringify(normTheirs(y)) || ga.get(p) !== gb.get(p)) out.add(p);
  }
  return out;
}
