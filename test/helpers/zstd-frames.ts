// zstd frames for tests: written by the real zstd CLI, and skippable frames
// (https://datatracker.ietf.org/doc/html/rfc8878#section-3.1.2) by hand.
import { execFileSync } from "node:child_process";

export function zstdCli(data: Buffer, ...args: string[]): Buffer {
  return execFileSync("zstd", ["-q", "-c", ...args], { input: data, maxBuffer: 1 << 30 });
}

export function skippableFrame(payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(0x184d2a53, 0);
  head.writeUInt32LE(payload.length, 4);
  return Buffer.concat([head, payload]);
}
