import { describe, expect, it } from "vitest";
import { fileRecord } from "./file-record.js";
import type { FileEntry } from "./types.js";

const base: FileEntry = { path: "/x", type: "file", mode: 0o644, uid: 0, gid: 0, size: 3, layer: 1 };

describe("fileRecord", () => {
  it("keeps the documented fields and key order", () => {
    expect(JSON.stringify(fileRecord({ ...base, mode: 0o4755 }))).toBe(
      '{"path":"/x","type":"file","mode":"4755","uid":0,"gid":0,"size":3,"layer":1}',
    );
    expect(Object.keys(fileRecord({ ...base, type: "hardlink", linkTarget: "/y" }))).toEqual([
      "path", "type", "mode", "uid", "gid", "size", "link", "layer",
    ]);
  });

  it("reports a symlink's permission bits as 0777 whatever is stored (Linux has no lchmod)", () => {
    expect(fileRecord({ ...base, type: "symlink", mode: 0o4755, size: 0, linkTarget: "t" }).mode).toBe("0777");
  });

  it("gives the raw security.capability xattr as hex, other xattrs not", () => {
    const cap = new Uint8Array([0x01, 0x00, 0x00, 0x02, 0xc0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const r = fileRecord({ ...base, xattrs: { "security.capability": cap, "user.x": new Uint8Array([1]) } });
    expect(r.capability).toBe("01000002c0200000000000000000000000000000");
    expect(Object.keys(r)).toEqual(["path", "type", "mode", "uid", "gid", "size", "capability", "layer"]);
    expect("capability" in fileRecord(base)).toBe(false);
  });
});
