/**
 * The narrow exceptions to exact equality in the runtime verdict
 * (verdict.ts), each where layerlint takes a documented stricter decision
 * than one runtime, and each tied to the finding that reports it:
 *
 * - `g` entries: a path at or under a PAX `g` entry's name, reported
 *   "pax-global", may be listed where the runtimes have nothing, and a
 *   directory there may keep its attributes: containerd's applyNaive and
 *   moby's UnpackLayer os.RemoveAll whatever is at that name (and recreate a
 *   directory there when a later name needs it); docker's overlay2 driver
 *   unpacks with moby's Unpack, which skips `g` entries
 *   (https://github.com/moby/moby/blob/v20.10.24/pkg/archive/archive.go).
 * - AUFS names: moby's UnpackLayer skips every name under a top-level
 *   `/.wh..wh.*` directory ("Skip AUFS metadata dirs",
 *   https://github.com/moby/moby/blob/v20.10.24/pkg/archive/diff.go);
 *   containerd extracts such a file, links such a hardlink (its header's
 *   mode, owner and capability then apply to the shared inode) and applies
 *   such a whiteout or opaque marker. layerlint keeps the file and the
 *   link, with the special bits the inode had before, and skips the
 *   whiteout ("aufs-name"): against moby a file listed there is accepted,
 *   and the mode, owner and capability of the names of an inode such a link
 *   named; against containerd what such a whiteout or marker would have
 *   removed, and on such an inode the special bits (with their owner or
 *   group) and capability it had before the link.
 * - Opaque marker in a symlinked directory, reported "link-escape":
 *   containerd resolves the directory and hides the target's children,
 *   moby's filepath.Walk does not follow it and hides nothing; layerlint
 *   hides nothing, so against containerd the target's children are accepted.
 * - A hardlink only moby could make (containerd finds nothing to link, and
 *   fails the layer; moby links filepath.Join("/", linkname)), reported
 *   "link-escape": moby's Lchown clears the setuid/setgid bits and its chmod
 *   is skipped when os.Lstat(linkname), relative to "/", fails (handleLChmod,
 *   https://github.com/moby/moby/blob/v20.10.24/pkg/archive/archive_unix.go).
 *   layerlint applies the header's mode as containerd would: against moby,
 *   the names of that inode may carry setuid/setgid/sticky bits it lacks.
 * - Missing parents made by moby: system.MkdirAll(parentPath, 0600) with
 *   umask 0 (2600 with the group of a setgid parent, and the bit passes the
 *   group on down the chain); containerd's mkparent and moby's Unpack make
 *   0755 (https://github.com/containerd/containerd/blob/v1.6.20/archive/tar.go),
 *   mkparent's chmod dropping the inherited setgid bit. layerlint lists
 *   containerd's: a 0600/2600 directory of moby's may be 0755, and a 2600
 *   one may have the group mkparent's chain gives it.
 * - The root when only containerd applied the image: moby applies a "./"
 *   directory entry's mode and owner to "/" (createTarFile on the root),
 *   containerd skips it ("resolved to root"); layerlint shows moby's (and
 *   docker's) root. Against containerd, the root's mode and owner may
 *   differ, and a directory mkparent created right under a root that is
 *   setgid for us may have our root's group (the kernel gives it).
 */
import type { TreeEntry, OracleResult } from "./oracle.js";
import type { Leeway, OurFinding, OurTree } from "./compare.js";
import { encodeName } from "./names.js";

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const SPECIAL_BITS = 0o7000;

/** Go's filepath.Clean of a byte path from the root, as latin1 text. */
function clean(p: string): string {
  const out: string[] = [];
  for (const c of p.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") out.pop();
    else out.push(c);
  }
  return `/${out.join("/")}`;
}

const hex = (latin1: string) => Buffer.from(latin1, "latin1").toString("hex");
const text = (name: string) => encodeName(name).toString("latin1");
const dirOf = (p: string) => p.slice(0, Math.max(1, p.lastIndexOf("/")));

function unsafeFindings(findings: readonly OurFinding[], reason: string): OurFinding[] {
  return findings.filter((f) => f.ruleId === "unsafe-tar-entry" && f.evidence?.["reason"] === reason && f.path !== undefined);
}

/** Hex path prefixes: a path is "at or under" one when equal or followed by "/". */
class Subtrees {
  private readonly at: string[] = [];
  private readonly below: string[] = [];
  add(latin1: string, self: boolean): void {
    (self ? this.at : this.below).push(hex(latin1));
  }
  has(h: string): boolean {
    const under = (p: string) => h.startsWith(p === "2f" ? p : `${p}2f`);
    return this.at.some((p) => h === p || under(p)) || this.below.some(under);
  }
}

const AUFS_TOP = "/.wh..wh.";
const OPAQUE = ".wh..wh..opq";
const MOBY_MKDIRALL_MODES = new Set(["0600", "2600"]);

export function leeway(o: OracleResult, view: OurTree, findings: readonly OurFinding[]): Leeway {
  const globals = new Subtrees();
  for (const f of unsafeFindings(findings, "pax-global")) globals.add(text(f.path!), true);
  const aufsFiles = new Set<string>();
  const hiddenByContainerd = new Subtrees();
  for (const f of unsafeFindings(findings, "aufs-name")) {
    const p = clean(text(f.path!));
    if (!p.startsWith(AUFS_TOP)) continue;
    const base = p.slice(p.lastIndexOf("/") + 1);
    if (base === OPAQUE) hiddenByContainerd.add(dirOf(p), false);
    else if (base.startsWith(".wh.")) hiddenByContainerd.add(clean(`${dirOf(p)}/${base.slice(4)}`), true);
    else aufsFiles.add(hex(p));
  }
  // Names of inodes an AUFS-named hardlink linked (containerd applied its header, moby skipped it).
  const aufsLinked = new Set<string>();
  for (const h of aufsFiles) if (view.records.get(h)?.type === "hardlink") for (const n of view.inodeNames(h)) aufsLinked.add(n);
  for (const f of unsafeFindings(findings, "link-escape")) {
    const r = view.records.get(hex(text(f.path!)));
    if (!String(f.evidence?.["detail"]).startsWith("opaque marker in a symlinked directory") || r?.type !== "symlink" || r.link === undefined) continue;
    const target = text(r.link);
    hiddenByContainerd.add(clean(target.startsWith("/") ? target : `${dirOf(text(r.path))}/${target}`), false);
  }
  // Names of inodes linked where only moby could (its lexical filepath.Join of a link name with "..").
  const mobyLinked = new Set<string>();
  for (const f of unsafeFindings(findings, "link-escape")) {
    if (String(f.evidence?.["detail"]).includes("containerd finds nothing to link and fails this layer; moby links")) {
      for (const n of view.inodeNames(hex(text(f.path!)))) mobyLinked.add(n);
    }
  }
  const root = view.records.get("2f");
  const containerdOnly = o.moby.error !== null;
  return {
    kept: (h, t) =>
      globals.has(h) ||
      (t.who === "moby" && aufsFiles.has(h)) ||
      (t.who === "containerd" && hiddenByContainerd.has(h)),
    variants: (h, e, t) => {
      const out: TreeEntry[] = [];
      const r = view.records.get(h);
      if (aufsLinked.has(h) && r !== undefined && e.type === "file") {
        // moby: the link header as containerd applies it. containerd: its own, with the special bits
        // (and their owner or group) and the capability the inode had, which moby leaves.
        if (t.who === "moby") out.push({ ...e, mode: r.mode, uid: r.uid, gid: r.gid, capability: r.capability ?? null });
        const extra = parseInt(r.mode, 8) & SPECIAL_BITS & ~parseInt(e.mode, 8);
        if (t.who === "containerd") {
          out.push({
            ...e,
            mode: (parseInt(e.mode, 8) | extra).toString(8).padStart(4, "0"),
            uid: extra & S_ISUID ? r.uid : e.uid,
            gid: extra & S_ISGID ? r.gid : e.gid,
            capability: e.capability ?? r.capability ?? null,
          });
        }
      }
      if (t.who === "moby" && mobyLinked.has(h) && r !== undefined && e.type === "file") {
        const mine = parseInt(r.mode, 8);
        const theirs = parseInt(e.mode, 8);
        if ((mine & ~SPECIAL_BITS) === (theirs & ~SPECIAL_BITS) && (theirs & ~mine) === 0) out.push({ ...e, mode: r.mode });
      }
      if (e.type !== "dir" || r?.type !== "dir") return out;
      if (globals.has(h)) out.push({ ...e, mode: r.mode, uid: r.uid, gid: r.gid });
      if (t.who === "moby" && MOBY_MKDIRALL_MODES.has(e.mode)) {
        out.push({ ...e, mode: "0755" });
        // MkdirAll keeps the setgid bit each new directory inherits, so the group passes down the whole
        // chain; mkparent's chmod 0755 drops it, so only the first level takes it.
        if (e.mode === "2600") out.push({ ...e, mode: "0755", gid: r.gid });
      }
      if (t.who === "containerd" && containerdOnly && root !== undefined) {
        if (h === "2f") out.push({ ...e, mode: r.mode, uid: r.uid, gid: r.gid });
        const p = Buffer.from(h, "hex").toString("latin1");
        if (p.lastIndexOf("/") === 0 && p.length > 1 && parseInt(root.mode, 8) & S_ISGID && e.gid === 0) out.push({ ...e, gid: root.gid });
      }
      return out;
    },
  };
}
