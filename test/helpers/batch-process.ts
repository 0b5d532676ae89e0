// One child process for a whole batch of test cases (the Go oracles): its
// input written at once, its stdout collected, a non-zero exit an error
// carrying its stderr.
import { spawn } from "node:child_process";
import type { Writable } from "node:stream";

export function runBatch(bin: string, args: string[], name: string, write: (stdin: Writable) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`${name} exited ${code}: ${Buffer.concat(err).toString("utf8")}`));
      else resolve(Buffer.concat(out));
    });
    write(child.stdin);
  });
}
