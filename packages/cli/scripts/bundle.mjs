/**
 * Bundles the CLI (tsc's output in build/) with @layerlint/core, commander,
 * zod, picomatch and p-limit into dist/, so that `layerlint` loads a few
 * files instead of some 400 ES modules: Node's ESM loader pays per module
 * (resolve, read, compile, link), and that dominated start-up.
 *
 *   node scripts/bundle.mjs      (run by the root `pnpm build`)
 *
 * Output:
 * - dist/main.js: the bin (keeps main.ts's `#!/usr/bin/env node` line), an
 *   ES module that answers `--version` alone and otherwise loads
 * - dist/program.cjs, every command with core, commander and zod, through
 *   V8's code cache dist/program.cjs.cache (scripts/program-loader.mjs),
 *   which a warm-up scan of a small image fills at build time;
 * - dist/layer-worker.js: core's layer worker, which core starts from
 *   `new URL("./layer-worker.js", import.meta.url)`, that is beside
 *   program.cjs;
 * - dist/THIRD-PARTY-LICENSES.txt: the licence of every bundled package.
 *
 * The package's `dependencies` stay external: core loads them on first use
 * (undici only for registry inputs, yaml only for YAML policies, xz and zstd
 * decoders only for such layers), so they cost nothing when unused and are
 * installed, not bundled. https://esbuild.github.io/api/#external
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { cacheBytes, loadProgram } from "./program-loader.mjs";
import { writeWarmUpImage } from "./warm-up-image.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const pkgDir = path.join(here, "..");
const pkg = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8"));
const coreDist = path.join(pkgDir, "../core/dist");
const dist = path.join(pkgDir, "dist");

/**
 * zod's `locales` namespace re-exports its error messages in 40-odd
 * languages (358 kB of the bundle's 1.36 MB); layerlint only ever uses the
 * English one, which zod installs by default (`config(en())` in
 * zod/v4/classic/external.js). Every locale but `en` is left out.
 * https://zod.dev/error-customization#internationalization
 */
const englishOnlyZod = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)$/.test(args.resolveDir) ? { path: path.join(args.resolveDir, "../locales/index.js"), namespace: "zod-locales" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: 'export { default as en } from "./en.js";',
      resolveDir: path.dirname(args.path),
      loader: "js",
    }));
  },
};

/**
 * main.ts imports ./program.js when it has more to do than print the
 * version; in the bundle that import loads program.cjs through the code
 * cache instead.
 */
const programThroughCache = {
  name: "program-through-code-cache",
  setup(b) {
    b.onResolve({ filter: /^\.\/program\.js$/ }, (args) =>
      path.basename(args.importer) === "main.js" ? { path: "program", namespace: "program-loader" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "program-loader" }, () => ({
      contents: [
        'import { fileURLToPath } from "node:url";',
        `import { loadProgram } from ${JSON.stringify(path.join(here, "program-loader.mjs"))};`,
        'const { exports } = loadProgram(fileURLToPath(new URL("./program.cjs", import.meta.url)), (specifier) => import(specifier));',
        "export const run = exports.run;",
        "export const EXIT_ERROR = exports.EXIT_ERROR;",
      ].join("\n"),
      resolveDir: here,
      loader: "js",
    }));
  },
};

/**
 * In a CommonJS bundle, `import(x)` of an ES-only package (zstddec/stream)
 * would need vm's dynamic-import hook, which Node 20 flags as experimental
 * (a warning on stderr): the loader passes an `import` from an ES module instead.
 */
const dynamicImportThroughLoader = {
  name: "dynamic-import-through-loader",
  setup(b) {
    b.onLoad({ filter: /[\\/]core[\\/]dist[\\/].*\.js$/ }, (args) => {
      const js = readFileSync(args.path, "utf8");
      return js.includes("import(") ? { contents: js.replace(/\bimport\((["'][^"']+["'])\)/g, "__layerlintImport($1)"), loader: "js" } : undefined;
    });
  },
};

/**
 * node:child_process (credential helpers), node:net (a FIFO's socket, IP
 * literals) and node:worker_threads (zstd layer workers) cost 8 ms of a
 * start-up that most scans never use: their functions are wrapped so that
 * the module loads on the first call. Node's classes are functions, so
 * `new Socket(…)` and `new Worker(…)` go through the same wrapper.
 */
const LAZY_BUILTINS = ["node:child_process", "node:net", "node:worker_threads"];
const lazyBuiltins = {
  name: "lazy-builtins",
  setup(b) {
    b.onResolve({ filter: /^node:(child_process|net|worker_threads)$/ }, (args) =>
      // The wrapper's own require() is the real module.
      args.namespace === "lazy-builtin" ? { path: args.path, external: true } : { path: args.path, namespace: "lazy-builtin" },
    );
    b.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, async (args) => {
      const real = await import(args.path);
      const names = Object.keys(real).filter((k) => k !== "default" && typeof real[k] === "function");
      const lines = [`let m; const load = () => (m ??= require(${JSON.stringify(args.path)}));`];
      for (const n of names) lines.push(`export function ${n}(...a) { const f = load().${n}; return new.target ? new f(...a) : f.apply(this, a); }`);
      return { contents: lines.join("\n"), loader: "js" };
    });
  },
};

/**
 * Core loads some dependencies by name on first use (lazyModule("undici")):
 * esbuild cannot see those, so each must be one of the package's
 * dependencies, installed beside the bundle.
 */
function checkLazyDependencies(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".js")) continue;
    const js = readFileSync(path.join(entry.parentPath ?? entry.path, entry.name), "utf8");
    for (const m of js.matchAll(/\blazyModule\(\s*["']([^"']+)["']/g)) {
      const name = m[1].replace(/^((?:@[^/]+\/)?[^/]+).*$/, "$1");
      if (!(name in (pkg.dependencies ?? {}))) throw new Error(`bundle: core loads ${name} on first use; add it to the CLI's dependencies`);
    }
  }
}
checkLazyDependencies(coreDist);

const common = {
  absWorkingDir: pkgDir,
  bundle: true,
  platform: "node",
  // esbuild's target for the engines field: https://esbuild.github.io/api/#target
  target: "node20.10",
  external: Object.keys(pkg.dependencies ?? {}),
  legalComments: "none",
  minifySyntax: true,
  metafile: true,
  logLevel: "warning",
};

rmSync(dist, { recursive: true, force: true });
const esm = await build({
  ...common,
  entryPoints: {
    main: path.join(pkgDir, "build/main.js"),
    "layer-worker": path.join(coreDist, "worker/layer-worker.js"),
  },
  outdir: dist,
  splitting: true,
  chunkNames: "[name]-[hash]",
  format: "esm",
  // commander is CommonJS and calls require("node:events"); an ES module bundle
  // has no `require`, so each output file gets one from createRequire.
  // https://github.com/evanw/esbuild/issues/1921
  banner: { js: 'import { createRequire as __layerlintRequire } from "node:module"; const require = __layerlintRequire(import.meta.url);' },
  plugins: [englishOnlyZod, programThroughCache],
});
const programFile = path.join(dist, "program.cjs");
const cjs = await build({
  ...common,
  entryPoints: [path.join(pkgDir, "build/program.js")],
  outfile: programFile,
  format: "cjs",
  // program-loader.mjs passes the file's URL in.
  define: { "import.meta.url": "__layerlintUrl" },
  plugins: [englishOnlyZod, dynamicImportThroughLoader, lazyBuiltins],
});
for (const name of LAZY_BUILTINS) if (readFileSync(programFile, "utf8").includes(`require("${name}")`) === false) throw new Error(`bundle: ${name} is not loaded lazily`);
{
  // The build line the code cache is matched against (program-loader.mjs).
  const js = readFileSync(programFile, "utf8");
  writeFileSync(programFile, `// build ${createHash("sha256").update(js).digest("hex")}\n${js}`);
}
if (/\bimport\(/.test(readFileSync(programFile, "utf8").replace(/\/\/.*$/gm, ""))) throw new Error("bundle: program.cjs still holds an import()");

// Warm-up: one scan of a small image, then the code cache of everything it compiled.
const warm = mkdtempSync(path.join(tmpdir(), "layerlint-warm-up-"));
try {
  const loaded = loadProgram(programFile, (specifier) => import(specifier));
  // --no-policy and an empty ignore file: a policy or .layerlintignore where the build runs must not steer (or fail) the warm-up.
  const noIgnores = path.join(warm, "no-ignores");
  writeFileSync(noIgnores, "");
  const image = writeWarmUpImage(path.join(warm, "image"));
  const code = await loaded.exports.run(["node", "layerlint", "scan", image, "-o", path.join(warm, "report.txt"), "--no-policy", "--ignorefile", noIgnores]);
  if (code !== 0) throw new Error(`bundle: the warm-up scan exited ${code}`);
  writeFileSync(`${programFile}.cache`, cacheBytes(loaded.script, loaded.source));
} finally {
  rmSync(warm, { recursive: true, force: true });
}
const result = { metafile: { inputs: { ...esm.metafile.inputs, ...cjs.metafile.inputs } } };

// Every bundled package's licence, as their MIT/ISC terms ask when the code is redistributed.
const bundled = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
  if (!m || bundled.has(m[2])) continue;
  const dir = path.resolve(pkgDir, m[1]);
  const meta = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
  const licenceFile = ["LICENSE", "LICENSE.md", "license", "LICENSE.txt"].map((f) => path.join(dir, f)).find((f) => existsSync(f));
  if (!licenceFile) throw new Error(`bundle: ${m[2]} ships no licence file`);
  bundled.set(m[2], `${meta.name} ${meta.version} (${meta.license})\n\n${readFileSync(licenceFile, "utf8").trim()}\n`);
}
const notices = [...bundled.keys()].sort().map((k) => bundled.get(k));
writeFileSync(
  path.join(dist, "THIRD-PARTY-LICENSES.txt"),
  `dist/ bundles these packages with @layerlint/core and the CLI:\n\n${notices.join(`\n${"-".repeat(72)}\n\n`)}`,
);
process.stdout.write(`bundle: dist/ with ${[...bundled.keys()].sort().join(", ")} bundled; external: ${Object.keys(pkg.dependencies ?? {}).join(", ")}\n`);
