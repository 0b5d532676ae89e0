/**
 * Bundles the CLI (tsc's output in build/) with @layerlint/core, commander,
 * zod, picomatch and p-limit into dist/, so that `layerlint` loads a few
 * files instead of some 400 ES modules: Node's ESM loader pays per module
 * (resolve, read, compile, link), and that dominated start-up.
 *
 *   node scripts/bundle.mjs      (run by the root `pnpm build`)
 *
 * Output:
 * - dist/main.js: the bin (keeps main.ts's `#!/usr/bin/env node` line);
 * - dist/program-*.js and other chunks: code-split, so that
 *   `layerlint --version` loads none of them;
 * - dist/layer-worker.js: core's layer worker, which core starts from
 *   `new URL("./layer-worker.js", import.meta.url)`, that is beside the chunk
 *   that holds core;
 * - dist/THIRD-PARTY-LICENSES.txt: the licence of every bundled package.
 *
 * The package's `dependencies` stay external: core loads them on first use
 * (undici only for registry inputs, yaml only for YAML policies, xz and zstd
 * decoders only for such layers), so they cost nothing when unused and are
 * installed, not bundled. https://esbuild.github.io/api/#external
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

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

rmSync(dist, { recursive: true, force: true });
const result = await build({
  entryPoints: {
    main: path.join(pkgDir, "build/main.js"),
    "layer-worker": path.join(coreDist, "worker/layer-worker.js"),
  },
  absWorkingDir: pkgDir,
  outdir: dist,
  bundle: true,
  splitting: true,
  chunkNames: "[name]-[hash]",
  format: "esm",
  platform: "node",
  // esbuild's target for the engines field: https://esbuild.github.io/api/#target
  target: "node20.10",
  external: Object.keys(pkg.dependencies ?? {}),
  // commander is CommonJS and calls require("node:events"); an ES module bundle
  // has no `require`, so each output file gets one from createRequire.
  // https://github.com/evanw/esbuild/issues/1921
  banner: { js: 'import { createRequire as __layerlintRequire } from "node:module"; const require = __layerlintRequire(import.meta.url);' },
  legalComments: "none",
  plugins: [englishOnlyZod],
  metafile: true,
  logLevel: "warning",
});

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
