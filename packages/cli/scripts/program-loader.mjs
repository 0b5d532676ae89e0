/**
 * Loads dist/program.cjs (the CLI's commands with core, commander and zod:
 * one CommonJS bundle) through V8's code cache. Compiling that megabyte of
 * JavaScript was the largest single cost of a short command's start-up;
 * dist/program.cjs.cache holds the bytecode V8 made for it at build time
 * (scripts/bundle.mjs runs a scan to fill it), so V8 deserialises instead of
 * parsing and compiling. Node 20 has no module compile cache
 * (module.enableCompileCache came in Node 22.1), and vm.Script's
 * `cachedData` only exists for classic scripts, hence CommonJS.
 * https://nodejs.org/api/vm.html#new-vmscriptcode-options
 * https://v8.dev/blog/code-caching-for-devs
 *
 * V8 rejects a cache made by another V8 version or with other flags
 * (`cachedDataRejected`): then the source is compiled as usual. V8 checks
 * only the source's length, so program.cjs starts with a line naming its
 * build (`// build <sha-256 of the bundle>`, written by scripts/bundle.mjs)
 * and the cache starts with the same line: a cache from another build is
 * ignored, without hashing a megabyte on every start.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import vm from "node:vm";


/** The same wrapper as Node's CommonJS loader, plus import.meta.url and a dynamic import for core's ES-only dependencies. */
const wrap = (source) =>
  `(function (exports, require, module, __filename, __dirname, __layerlintUrl, __layerlintImport) {${source}\n})`;

const firstLine = (text) => text.slice(0, text.indexOf("\n") + 1);

/**
 * Runs the bundle and returns its exports and the vm.Script (whose
 * createCachedData() the build writes after its warm-up scan).
 */
export function loadProgram(file, dynamicImport) {
  const source = readFileSync(file, "utf8");
  const build = firstLine(source);
  let cachedData;
  try {
    const cache = readFileSync(`${file}.cache`);
    if (build.startsWith("// build ") && cache.subarray(0, build.length).toString("utf8") === build) cachedData = cache.subarray(build.length);
  } catch {
    // No cache: compile from source.
  }
  const script = new vm.Script(wrap(source), { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file), pathToFileURL(file).href, dynamicImport);
  return { exports: module.exports, script, source };
}

/** The cache file's content: the source's build line, then V8's data. */
export function cacheBytes(script, source) {
  return Buffer.concat([Buffer.from(firstLine(source), "utf8"), script.createCachedData()]);
}
