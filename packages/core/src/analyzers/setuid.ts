/**
 * setuid / setgid binaries in the final image.
 *
 * Regular files and hardlinks bound to them count; a setgid directory does
 * not (it only makes new files inherit the group). Files deleted or
 * overwritten by a later layer are not in the final index, so they are not
 * reported: they cannot be executed in a container.
 *
 * A distribution's stock set (passwd, su, mount…, setuid-stock.ts) is one
 * grouped low finding when the image's package database shows the files
 * are the ones the distribution installed; everything else is one finding
 * per file. Streaming (analyzer.ts): package databases are parsed as they
 * stream (packages/), and stock-named setuid files hashed, so finish() can
 * check ownership against the final filesystem.
 */
import type { FileEntry } from "../types.js";
import type { Finding, Severity } from "../finding.js";
import type { Analyzer, AnalyzerContext } from "./analyzer.js";
import { isRegularFile, modeEvidence } from "./mode-text.js";
import { basename } from "../paths.js";
import { copyPackageDb, createPackageDbState, packageDbWants, readPackageDb, type PackageDbState } from "../packages/package-db-state.js";
import { packageOwnership, type Owner, type Ownership } from "../packages/ownership.js";
import { hashesOf, hasStockName, needsHash, stockHashWants, stockVerdict, type FileHashes, type Verified } from "./setuid-stock.js";
import { SETUID_RULES } from "./setuid-rules.js";

export { SETUID_RULES } from "./setuid-rules.js";

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;

export interface SetuidState {
  db: PackageDbState;
  /** Digests of stock-named setuid/setgid file versions, by walk-time entry. */
  hashes: Map<FileEntry, FileHashes>;
}

/**
 * Setuid: HIGH when root-owned, writable by non-root (whoever writes it
 * controls what runs with the owner's rights), or a stock-named file an
 * installed package claims whose owner is not root (not what the package
 * installed); MEDIUM for another owner.
 */
function setuidSeverity(e: FileEntry, owner: Owner | undefined): Severity {
  if (e.uid === 0 || (e.mode & 0o022) !== 0) return "high";
  return owner !== undefined && hasStockName(e) ? "high" : "medium";
}

function setgidSeverity(e: FileEntry): Severity {
  return e.gid === 0 ? "medium" : "low";
}

interface Stock {
  e: FileEntry;
  owner: Owner;
  verified: Verified;
}

function findingsFor(ctx: AnalyzerContext, e: FileEntry, owner: Owner | undefined, notStock: string | undefined): Finding[] {
  const out: Finding[] = [];
  const ev = modeEvidence(e);
  const evidence = (): Record<string, unknown> => {
    const fields: Record<string, unknown> = { ...ev, layer: e.layer };
    if (e.type === "hardlink") fields["target"] = ctx.files.hardlinkTarget(e)?.path ?? e.linkTarget;
    if (owner !== undefined) fields["package"] = owner.pkg;
    if (notStock !== undefined) fields["notStock"] = notStock;
    return fields;
  };
  const from = owner === undefined ? "" : `, from package ${owner.pkg}`;
  if (e.mode & S_ISUID) {
    out.push({
      ruleId: "setuid-binary",
      category: "setuid",
      severity: setuidSeverity(e, owner),
      message: `setuid file ${e.path} owned by ${ev.owner} (${ev.mode})${from}`,
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
      message: `setgid file ${e.path} owned by ${ev.owner} (${ev.mode})${from}`,
      path: e.path,
      layer: e.layer,
      inFinalImage: true,
      evidence: evidence(),
    });
  }
  return out;
}

/** One low finding listing every stock file, like dockle's single setuid checkpoint. */
function stockFinding(stock: readonly Stock[]): Finding {
  const files = stock.map(({ e, owner, verified }) => ({
    path: e.path,
    ...modeEvidence(e),
    package: owner.pkg,
    verifiedBy: verified === "digest" ? `${(owner.digest as { algo: string }).algo} digest` : "layer",
  }));
  const names = stock.map((s) => s.e.path);
  return {
    ruleId: "setuid-stock",
    category: "setuid",
    severity: "low",
    message: `${stock.length} stock setuid/setgid file${stock.length === 1 ? "" : "s"} as installed by the distribution's packages: ${names.join(", ")}`,
    layer: Math.min(...stock.map((s) => s.e.layer)),
    inFinalImage: true,
    // Layers apart, under a key the baseline fingerprint ignores: a rebuild that shifts layers is the same finding.
    evidence: { files, fileLayers: Object.fromEntries(stock.map((s) => [s.e.path, s.e.layer])) },
  };
}

function specialFiles(ctx: AnalyzerContext): FileEntry[] {
  return [...ctx.files].filter((e) => (e.mode & (S_ISUID | S_ISGID)) !== 0 && isRegularFile(ctx.files, e));
}

/** Digests of `e`'s content when the second look captured it whole. */
function wholeHashes(ctx: AnalyzerContext, e: FileEntry): FileHashes | undefined {
  const bytes = ctx.content(e);
  return bytes !== undefined && bytes.length === ctx.origin(e).size ? hashesOf(bytes) : undefined;
}

export const setuidAnalyzer: Analyzer<SetuidState> = {
  id: "setuid",
  rules: SETUID_RULES,
  createState: () => ({ db: createPackageDbState(), hashes: new Map() }),
  wantsContent: (e) => Math.max(packageDbWants(e), stockHashWants(e)),
  onContent(e, bytes, state) {
    if (packageDbWants(e) > 0) readPackageDb(e, bytes, state.db);
    if (stockHashWants(e) > 0 && bytes.length === e.size) state.hashes.set(e, hashesOf(bytes));
  },
  onContentCopy(copy, original, state) {
    copyPackageDb(copy, original, state.db);
    const h = state.hashes.get(original);
    if (h !== undefined) state.hashes.set(copy, h);
  },
  /**
   * A stock-named file whose bytes the walk did not hash (reached through a
   * hardlink from another name, or past the capture budget): read it whole
   * in the second look, so its digest can still be checked.
   */
  needsContent(ctx, state) {
    return specialFiles(ctx).filter((e) => needsHash(e) && !state.hashes.has(ctx.origin(e)));
  },
  finish(ctx, state) {
    const special = specialFiles(ctx);
    if (special.length === 0) return [];
    const ownership: Ownership = packageOwnership(ctx, state.db, new Set(special.map((e) => basename(e.path))));
    const out: Finding[] = [];
    const stock: Stock[] = [];
    for (const e of special) {
      const owner = ownership.owner(e);
      const origin = ctx.origin(e);
      const v = stockVerdict(e, owner, ownership.unknown, state.hashes.get(origin) ?? wholeHashes(ctx, e), origin.layer);
      if (v.stock) stock.push({ e, owner: owner!, verified: v.verified });
      else out.push(...findingsFor(ctx, e, owner, hasStockName(e) ? v.reason : undefined));
    }
    if (stock.length > 0) out.push(stockFinding(stock));
    return out;
  },
};
