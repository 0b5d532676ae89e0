import { describe, expect, it } from "vitest";
import { runAnalyzer, type ImageSpec } from "../testing/image-builder.js";
import {
  CAPABILITY_NAMES,
  capabilitiesAnalyzer,
  decodeFileCapabilities,
  formatCapabilities,
} from "./capabilities.js";

/** Little-endian u32 words → bytes, written out by hand so the test does not share the decoder's reader. */
function le(...words: number[]): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  words.forEach((w, k) => {
    out[k * 4] = w & 0xff;
    out[k * 4 + 1] = (w >>> 8) & 0xff;
    out[k * 4 + 2] = (w >>> 16) & 0xff;
    out[k * 4 + 3] = (w >>> 24) & 0xff;
  });
  return out;
}

const CAP = "security.capability";
const withCap = (raw: Uint8Array, path = "/usr/bin/tool"): ImageSpec => ({
  layers: [[{ path, mode: 0o755, content: "x", xattrs: { [CAP]: raw } }]],
});
const run = (spec: ImageSpec) => runAnalyzer(capabilitiesAnalyzer, spec);

describe("decodeFileCapabilities", () => {
  it("knows 41 names, cap_chown = 0 … cap_checkpoint_restore = 40", () => {
    expect(CAPABILITY_NAMES).toHaveLength(41);
    expect(CAPABILITY_NAMES[0]).toBe("cap_chown");
    expect(CAPABILITY_NAMES[13]).toBe("cap_net_raw");
    expect(CAPABILITY_NAMES[21]).toBe("cap_sys_admin");
    expect(CAPABILITY_NAMES[40]).toBe("cap_checkpoint_restore");
  });

  it.each<[string, Uint8Array, object]>([
    [
      "v2 ping: cap_net_raw+ep (bytes 01 00 00 02 00 20 00 00 …)",
      Uint8Array.from([0x01, 0, 0, 0x02, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
      { version: 2, effective: true, permitted: ["cap_net_raw"], inheritable: [] },
    ],
    [
      "v2 bytes ≥ 0x80: cap_setgid|cap_setuid → permitted[0] = 0xc0, not effective",
      le(0x02000000, 0xc0, 0, 0, 0),
      { version: 2, effective: false, permitted: ["cap_setgid", "cap_setuid"], inheritable: [] },
    ],
    [
      "v2 high word: cap_mac_override (32), cap_bpf (39), cap_checkpoint_restore (40)",
      le(0x02000001, 0, 0, (1 << 0) | (1 << 7) | (1 << 8), 0),
      { version: 2, effective: true, permitted: ["cap_mac_override", "cap_bpf", "cap_checkpoint_restore"] },
    ],
    [
      "v2 bit 31 (cap_setfcap) as 0x80 in the top byte, inheritable cap_kill",
      le(0x02000000, 0x80000000, 1 << 5, 0, 0),
      { permitted: ["cap_setfcap"], inheritable: ["cap_kill"] },
    ],
    [
      "v3 with rootid 100000 at the end",
      le(0x03000001, 1 << 10, 0, 0, 0, 100000),
      { version: 3, effective: true, permitted: ["cap_net_bind_service"], rootid: 100000 },
    ],
    ["v1, 12 bytes, one word each", le(0x01000001, 1 << 21, 0), { version: 1, effective: true, permitted: ["cap_sys_admin"] }],
    [
      "bits past the known list are named by number",
      le(0x02000000, 0, 0, 1 << 20, 0),
      { permitted: ["cap_52"] },
    ],
  ])("%s", (_name, raw, want) => {
    const r = decodeFileCapabilities(raw);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.caps).toMatchObject(want);
  });

  it.each<[string, Uint8Array, RegExp]>([
    ["empty", new Uint8Array(0), /shorter/],
    ["3 bytes", Uint8Array.from([0, 0, 0]), /shorter/],
    ["unknown revision 4", le(0x04000000, 0, 0, 0, 0), /unknown revision 0x04000000/],
    ["revision 0", le(0, 0, 0, 0, 0), /unknown revision/],
    ["v2 truncated to 16 bytes", le(0x02000000, 1, 0, 0), /revision 2 needs 20 bytes, got 16/],
    ["v2 with a rootid (24 bytes)", le(0x02000000, 1, 0, 0, 0, 0), /revision 2 needs 20 bytes, got 24/],
    ["v3 without rootid", le(0x03000000, 1, 0, 0, 0), /revision 3 needs 24 bytes/],
  ])("malformed: %s", (_name, raw, reason) => {
    const r = decodeFileCapabilities(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it("formats like getcap", () => {
    const r = decodeFileCapabilities(le(0x02000001, 0xc0 | (1 << 13), 1 << 13, 0, 0));
    expect(r.ok && formatCapabilities(r.caps)).toBe("cap_setgid,cap_setuid=ep cap_net_raw=eip");
  });
});

describe("capabilitiesAnalyzer", () => {
  it.each<[string, Uint8Array, string]>([
    ["cap_sys_admin → high", le(0x02000001, 1 << 21, 0, 0, 0), "high"],
    ["cap_setuid|cap_setgid → high", le(0x02000000, 0xc0, 0, 0, 0), "high"],
    ["cap_bpf (high word) → high", le(0x02000001, 0, 0, 1 << 7, 0), "high"],
    ["inheritable-only cap_sys_ptrace → high", le(0x02000000, 0, 1 << 19, 0, 0), "high"],
    ["cap_net_raw → medium", le(0x02000001, 1 << 13, 0, 0, 0), "medium"],
    ["cap_net_bind_service (v3) → medium", le(0x03000001, 1 << 10, 0, 0, 0, 0), "medium"],
    ["cap_ipc_lock → low", le(0x02000001, 1 << 14, 0, 0, 0), "low"],
    ["no capabilities at all → info", le(0x02000000, 0, 0, 0, 0), "info"],
  ])("%s", (_name, raw, severity) => {
    const fs = run(withCap(raw));
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ ruleId: "file-capability", category: "capability", severity, inFinalImage: true });
  });

  it("gives names, effective, version and rootid as evidence", () => {
    const [f] = run(withCap(le(0x03000001, 1 << 13, 0, 0, 0, 1000), "/usr/bin/ping"));
    expect(f).toMatchObject({
      path: "/usr/bin/ping",
      layer: 0,
      message: "/usr/bin/ping has file capabilities cap_net_raw=ep",
      evidence: { capabilities: ["cap_net_raw"], effective: true, version: 3, rootid: 1000, octal: "0755" },
    });
    expect(f?.evidence).not.toHaveProperty("inheritable");
  });

  it("v2 evidence has no rootid", () => {
    const [f] = run(withCap(le(0x02000000, 0xc0, 0, 0, 0)));
    expect(f?.evidence).toMatchObject({ capabilities: ["cap_setgid", "cap_setuid"], effective: false, version: 2 });
    expect(f?.evidence).not.toHaveProperty("rootid");
  });

  it("reports a malformed xattr as a finding, not a crash", () => {
    const fs = run(withCap(Uint8Array.from([0x01, 0x00, 0x00, 0x02, 0xff])));
    expect(fs).toEqual([
      expect.objectContaining({
        ruleId: "file-capability-malformed",
        category: "capability",
        severity: "medium",
        path: "/usr/bin/tool",
        evidence: expect.objectContaining({ bytes: 5, hex: "01000002ff" }),
      }),
    ]);
  });

  it("ignores files without the xattr and other xattrs", () => {
    expect(
      run({
        layers: [[
          { path: "/usr/bin/a", mode: 0o755, content: "x" },
          { path: "/usr/bin/b", mode: 0o755, content: "x", xattrs: { "user.comment": le(0x02000001, 1 << 21, 0, 0, 0) } },
        ]],
      }),
    ).toEqual([]);
  });

  it("reports a hardlink to a file with capabilities, and not a file deleted later", () => {
    const raw = le(0x02000001, 1 << 13, 0, 0, 0);
    const fs = run({
      layers: [
        [
          { path: "/usr/bin/ping", mode: 0o755, content: "x", xattrs: { [CAP]: raw } },
          // A hardlink header's own mode and xattrs apply to the shared inode: tar writes the file's.
          { path: "/usr/bin/ping4", type: "hardlink", link: "/usr/bin/ping", mode: 0o755, xattrs: { [CAP]: raw } },
          { path: "/usr/bin/arping", mode: 0o755, content: "x", xattrs: { [CAP]: raw } },
        ],
        [{ path: "/usr/bin/.wh.arping" }],
      ],
    });
    expect(fs.map((f) => f.path)).toEqual(["/usr/bin/ping", "/usr/bin/ping4"]);
  });
});
