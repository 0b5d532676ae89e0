// How an input that names nothing was read, through the built CLI: a bare
// name that is no file says it was then read as an image reference (and
// which), a mistyped transport is named as one with the transport meant,
// and an uppercase repository gets the grammar's reason and the lowercase
// form.
import { describe, expect, it } from "vitest";
import { fixturesOut, runCli } from "./helpers/cli.js";

const EXPECTED = "expected oci:DIR, oci-archive:FILE, docker-archive:FILE, docker://REF, a path or an image reference";

async function error(args: string[]): Promise<string> {
  const r = await runCli(args);
  expect(r.code, args.join(" ")).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr.split("\n")).toHaveLength(2);
  return r.stderr;
}

describe("bare names", () => {
  it("a name that is no file is read as a Docker Hub reference, and the error says both", async () => {
    // Whatever the network does (no route here, 401 from Docker Hub elsewhere), the reading is named.
    for (const cmd of ["scan", "info", "files"]) {
      const e = await error([cmd, "debian-full", "--timeout", "60s"]);
      expect(e).toMatch(/^error: no file "debian-full"; as an image reference: docker\.io\/library\/debian-full:latest: \S/);
    }
    expect(await error(["scan", "alpine:3.19", "--timeout", "60s"])).toMatch(/^error: no file "alpine:3\.19"; as an image reference: docker\.io\/library\/alpine:3\.19: \S/);
  });

  it("a name that looks like a file stays a missing file", async () => {
    expect(await error(["scan", "./debian-full"])).toBe("error: ./debian-full: no such file or directory (expected oci:DIR, oci-archive:FILE, docker-archive:FILE or a path)\n");
    expect(await error(["scan", "debian-full.tar"])).toBe("error: debian-full.tar: no such file or directory (expected oci:DIR, oci-archive:FILE, docker-archive:FILE or a path)\n");
  });

  it("uppercase repository names get the grammar's reason and the lowercase form", async () => {
    const rule = "the reference grammar allows only a-z, 0-9 and the separators . _ __ - in a repository path";
    expect(await error(["scan", "Debian"])).toBe(
      `error: no file "Debian"; as an image reference: invalid reference "Debian": repository name "library/Debian" must be lowercase; ${rule} (did you mean "debian"?)\n`,
    );
    expect(await error(["scan", "ghcr.io/Acme/App:V1"])).toBe(
      `error: invalid reference "ghcr.io/Acme/App:V1": repository name "Acme/App" must be lowercase; ${rule} (did you mean "ghcr.io/acme/app:V1"?)\n`,
    );
    expect(await error(["digest", "ghcr.io/Acme/App"])).toContain('(did you mean "ghcr.io/acme/app"?)');
  });
});

describe("transports", () => {
  it("a mistyped transport is named, with the one meant", async () => {
    expect(await error(["scan", "oci-arhive:demo.tar"])).toBe(`error: "oci-arhive:demo.tar": unknown transport "oci-arhive:" (did you mean oci-archive:?); ${EXPECTED}\n`);
    expect(await error(["info", `ocii:${fixturesOut}/demo.oci`])).toBe(`error: "ocii:${fixturesOut}/demo.oci": unknown transport "ocii:" (did you mean oci:?); ${EXPECTED}\n`);
    expect(await error(["files", "dokcer-archive:img.tar"])).toContain('unknown transport "dokcer-archive:" (did you mean docker-archive:?)');
  });

  it("a transport of containers-transports(5) that is not read here says so", async () => {
    expect(await error(["scan", "containers-storage:app:1"])).toBe(
      `error: "containers-storage:app:1": transport "containers-storage:" is not supported; copy the image to an archive first (skopeo copy containers-storage:… oci-archive:FILE); ${EXPECTED}\n`,
    );
  });
});
