import { describe, expect, it } from "vitest";
import { LayerlintError } from "../errors.js";
import { asReferenceError, unknownTransportError } from "./input-names.js";

const msg = (input: string, asReference: boolean, restIsPath: boolean) => unknownTransportError(input, asReference, restIsPath)?.message;

describe("unknownTransportError", () => {
  it("names a typo of a transport, with the transport meant", () => {
    expect(msg("oci-arhive:demo.tar", true, true)).toMatch(/^"oci-arhive:demo\.tar": unknown transport "oci-arhive:" \(did you mean oci-archive:\?\); expected oci:DIR/);
    // No image is called oci-arhive: a hyphenated transport typo is one even when the rest could be a tag.
    expect(msg("oci-arhive:app", true, false)).toContain("did you mean oci-archive:?");
    expect(msg("docker-achive:x.tar", true, true)).toContain("did you mean docker-archive:?");
    expect(msg("ocii:/layouts/app", false, true)).toContain("did you mean oci:?");
    expect(msg("dockr://nginx", false, false)).toContain("did you mean docker://?");
  });
  it("says which transports of containers-transports(5) are not read", () => {
    expect(msg("containers-storage:nginx", true, false)).toContain('transport "containers-storage:" is not supported');
    expect(msg("dir:./image", true, true)).toContain('transport "dir:" is not supported');
  });
  it("leaves names with tags alone", () => {
    for (const ref of ["nginx:1.25", "ocis:1.0", "dir:latest", "docke:v1", "alpine:3.19"]) expect(msg(ref, true, false), ref).toBeUndefined();
    expect(msg("oci:layout", true, true)).toBeUndefined();
    expect(msg("docker://nginx", true, false)).toBeUndefined();
    expect(msg("C:\\images\\app.tar", false, true)).toBeUndefined();
    // Uppercase: the reference's own error is better than a transport guess.
    expect(msg("Nginx:1.25", false, false)).toBeUndefined();
  });
  it("names any scheme-like prefix whose colon cannot start a tag", () => {
    expect(msg("foo:bar/baz", false, false)).toBe('"foo:bar/baz": unknown transport "foo:"; expected oci:DIR, oci-archive:FILE, docker-archive:FILE, docker://REF, a path or an image reference');
  });
});

describe("asReferenceError", () => {
  it("says the input was no file and how it was read as a reference", () => {
    const e = asReferenceError("debian-full", "docker.io/library/debian-full:latest", new LayerlintError("NOT_FOUND", "docker.io/library/debian-full:latest: manifest: not found"));
    expect(e.code).toBe("NOT_FOUND");
    expect(e.message).toBe('no file "debian-full"; as an image reference: docker.io/library/debian-full:latest: manifest: not found');
    const net = asReferenceError("x", "docker.io/library/x:latest", new LayerlintError("NETWORK_ERROR", "docker.io: connect ECONNREFUSED"));
    expect(net.message).toBe('no file "x"; as an image reference: docker.io/library/x:latest: docker.io: connect ECONNREFUSED');
  });
});
