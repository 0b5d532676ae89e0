import { readFileSync } from "node:fs";
import tar from "tar-stream";
const { walkTar } = await import("/work/main/packages/core/src/tar/walk-tar.ts");
const buf = readFileSync("/tmp/tartest/plain.tar");
const CH = 64 * 1024;
async function* src() { for (let i = 0; i < buf.length; i += CH) yield buf.subarray(i, i + CH); }
async function ours() {
  let n = 0;
  const t = performance.now();
  const r = await walkTar(src(), { entry() { n++; return 0; } });
  return [performance.now() - t, r.entries];
}
async function theirs() {
  let n = 0;
  const t = performance.now();
  const ex = tar.extract();
  const done = (async () => { for await (const e of ex) { n++; e.resume(); } })();
  for await (const c of src()) { if (!ex.write(c)) await new Promise(r => ex.once("drain", r)); }
  ex.end();
  await done;
  return [performance.now() - t, n];
}
const mb = buf.length / 1e6;
for (const [name, f] of [["walkTar", ours], ["tar-stream", theirs]]) {
  const times = [];
  let n;
  for (let i = 0; i < 5; i++) { const [ms, c] = await f(); times.push(ms); n = c; }
  times.sort((a, b) => a - b);
  console.log(name, "entries", n, "median ms", times[2].toFixed(1), "MB/s", (mb / (times[2] / 1000)).toFixed(0), "best", (mb / (times[0] / 1000)).toFixed(0));
}
