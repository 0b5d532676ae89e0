// Pushes fixture layouts into a test registry with skopeo, an independent client.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fixturesOut } from "../helpers/cli.js";

const run = promisify(execFile);

/** The fixtures pushed by the registry tests: layout dir, its ref, and whether it is an index (`--all`). */
export const pushedFixtures = [
  { dir: "layers.oci", ref: "layers:v1", all: false },
  { dir: "demo.oci", ref: "demo:latest", all: false },
  { dir: "multiarch.oci", ref: "multiarch:v1", all: true },
  { dir: "distroless.oci", ref: "distroless:v1", all: false },
  { dir: "mixed-gzip.oci", ref: "mixed:v1", all: false },
] as const;

export async function skopeoPush(dir: string, ref: string, dest: string, opts: { all?: boolean; creds?: string } = {}): Promise<void> {
  const args = ["copy", "--quiet", "--dest-tls-verify=false"];
  if (opts.all) args.push("--all");
  if (opts.creds) args.push("--dest-creds", opts.creds);
  args.push(`oci:${fixturesOut}/${dir}:${ref}`, `docker://${dest}`);
  await run("skopeo", args, { timeout: 60_000 });
}

export async function skopeoDigest(ref: string, creds?: string): Promise<string> {
  const args = ["inspect", "--tls-verify=false", "--format", "{{.Digest}}"];
  if (creds) args.push("--creds", creds);
  args.push(`docker://${ref}`);
  const { stdout } = await run("skopeo", args, { timeout: 60_000 });
  return stdout.trim();
}
