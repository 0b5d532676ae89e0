// Script form of the slow real-world suite (test/debian-rootfs.test.ts):
// debootstraps (or reuses the cached) Debian bookworm minbase rootfs and the
// ca-certificates/python3 package contents, packs each as an OCI layout,
// scans it with the built CLI and prints timings and finding counts.
//
//   pnpm build && node --import tsx bench/debian-rootfs.ts [OUT_DIR]
//
// OUT_DIR (default: a temp dir, removed afterwards) keeps the layouts, so
// `pnpm layerlint scan oci:OUT_DIR/bookworm-minbase.oci` can be run by hand.
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { debianPackagesTree, debootstrapRootfs, packRootfs } from "../test/helpers/pack-rootfs.js";

const cli = fileURLToPath(new URL("../packages/cli/dist/main.js", import.meta.url));
const keep = process.argv[2];
const out = keep ?? (await mkdtemp(`${os.tmpdir()}/layerlint-bench-debian-`));

async function timed<T>(label: string, f: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const v = await f();
  console.log(`${label.padEnd(28)} ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return v;
}

interface Finding {
  category: string;
  path?: string;
}

for (const [name, build] of [
  ["bookworm-minbase", debootstrapRootfs],
  ["ca-certificates+python3", debianPackagesTree],
] as const) {
  const tree = await timed(`${name}: rootfs`, build);
  const packed = await timed(`${name}: pack`, () => packRootfs(tree, `${out}/${name}.oci`));
  const r = await timed(`${name}: scan`, async () =>
    spawnSync(process.execPath, [cli, "scan", `oci:${packed.layout}`, "--format", "json"], { encoding: "utf8", maxBuffer: 1 << 28 }),
  );
  if (r.status !== 0) {
    console.error(r.stderr);
    process.exitCode = 1;
    continue;
  }
  const findings = (JSON.parse(r.stdout) as { findings: Finding[] }).findings;
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.category, (counts.get(f.category) ?? 0) + 1);
  console.log(
    `${name}: ${(packed.uncompressedSize / 1e6).toFixed(0)} MB tar, ${(packed.compressedSize / 1e6).toFixed(0)} MB gzip;`,
    Object.fromEntries([...counts].sort()),
  );
  for (const f of findings.filter((x) => x.category === "secret")) console.log(`  secret: ${f.path}`);
}
if (keep === undefined) await rm(out, { recursive: true, force: true });
