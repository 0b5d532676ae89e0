// A scan() in a child process, for options the CLI has no flag for
// (concurrency, layer workers, limits, registry timeouts). Exits as the CLI
// does: 0 with a summary on stdout, 2 with one `error:` line for a
// LayerlintError; anything else is a crash (exit 70).
// argv: INPUT [OPTIONS_JSON]
import { isLayerlintError, scan } from "../../packages/core/dist/index.js";

const options = JSON.parse(process.argv[3] ?? "{}");
try {
  const report = await scan(process.argv[2], options);
  process.stdout.write(
    JSON.stringify({
      files: report.image.sizes.files,
      uncompressed: report.image.sizes.uncompressed,
      layers: report.image.layers.length,
      findings: report.findings.length,
    }),
  );
} catch (e) {
  if (!isLayerlintError(e)) {
    process.stderr.write(`crash: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(70);
  }
  process.stderr.write(`error: ${e.code}: ${e.message}\n`);
  process.exitCode = 2;
}
