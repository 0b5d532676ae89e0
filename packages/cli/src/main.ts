#!/usr/bin/env node
import { run } from "./program.js";

// A reader that stops early (`| head`) closes the pipe: stop writing, keep
// the exit code. Any other stdout failure is an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  process.stderr.write(`error: stdout: ${e.message}\n`);
  process.exit(2);
});

process.exitCode = await run(process.argv);
