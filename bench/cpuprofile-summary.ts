/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self and inclusive
 * time per function, and self time per area (our packages, Node internals,
 * dependencies, GC). zlib inflate runs on the libuv thread pool, so it is
 * not in the main-thread profile: it shows up as (idle) or (program) time
 * while the main thread waits for chunks.
 *
 *   tsx bench/cpuprofile-summary.ts FILE.cpuprofile [TOP]
 *
 * With worker threads, `--cpu-prof` writes one file per thread, named
 * CPU.<date>.<time>.<pid>.<threadId>.<seq>.cpuprofile; thread 0 is main.
 */
import { readFile } from "node:fs/promises";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Row {
  key: string;
  ms: number;
  pct: number;
}

export interface ProfileSummary {
  totalMs: number;
  self: Row[];
  inclusive: Row[];
  areas: Row[];
}

function shortUrl(url: string): string {
  let u = url.replace(/^file:\/\//, "");
  const nm = u.lastIndexOf("/node_modules/");
  if (nm >= 0) return u.slice(nm + "/node_modules/".length);
  const pk = u.indexOf("/packages/");
  if (pk >= 0) u = u.slice(pk + 1);
  return u;
}

function keyOf(f: CallFrame): string {
  if (!f.url) return f.functionName || "(anonymous)";
  return `${f.functionName || "(anonymous)"} ${shortUrl(f.url)}:${f.lineNumber + 1}`;
}

function areaOf(f: CallFrame): string {
  const u = f.url;
  if (!u) return f.functionName.startsWith("(") ? f.functionName : "native/builtin";
  if (u.startsWith("node:")) return "node internals (streams, events, buffers)";
  if (u.includes("/node_modules/")) {
    const rest = u.slice(u.lastIndexOf("/node_modules/") + 14);
    const parts = rest.split("/");
    return `dependency: ${parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  const m = /packages\/(core|cli)\/dist\/(.*)$/.exec(u);
  if (m) return `${m[1]}: ${m[2]}`;
  return shortUrl(u);
}

function top(map: Map<string, number>, total: number, n: number): Row[] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([key, us]) => ({ key, ms: us / 1000, pct: (100 * us) / total }));
}

/** One profile, or several summed (the worker threads of one run). */
export async function summariseProfile(files: string | string[], n = 20): Promise<ProfileSummary> {
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  for (const file of typeof files === "string" ? [files] : files) {
    const p = JSON.parse(await readFile(file, "utf8")) as CpuProfile;
    total += p.endTime - p.startTime;
    addProfile(p, self, incl, areas);
  }
  return { totalMs: total / 1000, self: top(self, total, n), inclusive: top(incl, total, n), areas: top(areas, total, n) };
}

function addProfile(p: CpuProfile, self: Map<string, number>, incl: Map<string, number>, areas: Map<string, number>): void {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of p.nodes) {
    byId.set(node.id, node);
    for (const c of node.children ?? []) parent.set(c, node.id);
  }
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i + 1] ?? 0; // the interval until the next sample belongs to this one
    const node = byId.get(p.samples[i]!)!;
    const k = keyOf(node.callFrame);
    self.set(k, (self.get(k) ?? 0) + dt);
    const a = areaOf(node.callFrame);
    areas.set(a, (areas.get(a) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      const key = keyOf(f);
      if (key === "(root)" || seen.has(key)) continue;
      seen.add(key);
      incl.set(key, (incl.get(key) ?? 0) + dt);
    }
  }
}

export function profileMarkdown(s: ProfileSummary, what = "Main-thread profile"): string {
  const table = (title: string, rows: Row[]): string =>
    [`| ${title} | ms | % |`, "|---|---:|---:|", ...rows.map((r) => `| \`${r.key.replace(/\|/g, "\\|")}\` | ${r.ms.toFixed(0)} | ${r.pct.toFixed(1)} |`)].join("\n");
  return [
    `${what} length: ${(s.totalMs / 1000).toFixed(2)} s.`,
    "",
    "**Self time by area**",
    "",
    table("area", s.areas),
    "",
    "**Top functions by self time**",
    "",
    table("function (file:line)", s.self),
    "",
    "**Top functions by inclusive time**",
    "",
    table("function (file:line)", s.inclusive),
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) throw new Error("usage: cpuprofile-summary.ts FILE.cpuprofile [TOP]");
  console.log(profileMarkdown(await summariseProfile(file, Number(process.argv[3] ?? 20))));
}
