import { describe, expect, it } from "vitest";
import type { FileEntry } from "../types.js";
import { BUSYBOX_CONTENT_CAP, BUSYBOX_SCAN_BUDGET } from "./busybox.js";
import { toolsAnalyzer } from "./tools.js";

const entry = (path: string, size: number): FileEntry => ({ path, type: "file", mode: 0o755, uid: 0, gid: 0, size, layer: 0 });

describe("the scan-wide budget of busybox bytes read for applets", () => {
  // A busybox at the read cap: a small table, then bytes the scanner must walk through.
  const bytes = new Uint8Array(BUSYBOX_CONTENT_CAP).fill(0x61);
  bytes.set(Buffer.from("[\0[[\0sh\0wget\0\0", "latin1"));
  const fits = BUSYBOX_SCAN_BUDGET / BUSYBOX_CONTENT_CAP;

  it("reads busyboxes until the budget is spent, then records the rest as unread, with why", () => {
    const state = toolsAnalyzer.createState!();
    const files = Array.from({ length: fits + 2 }, (_, i) => entry(`/b${i}/busybox`, bytes.length));
    for (const f of files) toolsAnalyzer.onContent!(f, bytes, state);
    for (const f of files.slice(0, fits)) expect(state.applets.get(f)).toEqual({ applets: ["[", "[[", "sh", "wget"], complete: true });
    for (const f of files.slice(fits)) {
      expect(state.applets.get(f)).toEqual({ applets: undefined, complete: false, unread: "over the scan's 64 MiB of busybox reads" });
    }
  });

  it("is per scan: a fresh state reads again", () => {
    const spent = toolsAnalyzer.createState!();
    for (let i = 0; i <= fits; i++) toolsAnalyzer.onContent!(entry(`/b${i}/busybox`, bytes.length), bytes, spent);
    const fresh = toolsAnalyzer.createState!();
    const f = entry("/bin/busybox", bytes.length);
    toolsAnalyzer.onContent!(f, bytes, fresh);
    expect(fresh.applets.get(f)?.applets).toEqual(["[", "[[", "sh", "wget"]);
  });
});
