#!/usr/bin/env node
import { version } from "./version.js";

// `layerlint --version` is what scripts and CI steps call to check the tool:
// it is answered before commander and core load, which are most of the
// start-up time (bench/startup.ts measures both).
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  process.stdout.write(`${version}\n`);
} else {
  // A reader that stops early (`| head`) closes the pipe: stop writing, keep
  // the exit code. Any other stdout failure is an error.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    process.stderr.write(`error: stdout: ${e.message}\n`);
    process.exit(2);
  });
  const { run } = await import("./program.js");
  process.exitCode = await run(process.argv);
}
