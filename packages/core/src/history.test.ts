import { describe, expect, it } from "vitest";
import { historyLayerIndexes, layerCreatedBy } from "./history.js";
import type { HistoryEntry, ImageConfig } from "./types.js";

function config(history: HistoryEntry[], layers: number): ImageConfig {
  return {
    digest: "sha256:" + "c".repeat(64),
    architecture: "amd64",
    os: "linux",
    config: {},
    rootfs: { type: "layers", diff_ids: Array.from({ length: layers }, (_, i) => "sha256:" + String(i).repeat(64)) },
    history,
  };
}

describe("history to layer mapping (empty_layer lines consume no diff_id)", () => {
  it("gives non-empty entries the next diff_id and empty_layer entries none", () => {
    const c = config([{ created_by: "ADD rootfs" }, { created_by: "ENV A=1", empty_layer: true }, { created_by: "RUN make" }], 2);
    expect(historyLayerIndexes(c)).toEqual([0, null, 1]);
    expect(layerCreatedBy(c)).toEqual(["ADD rootfs", "RUN make"]);
  });

  it("maps extra history entries to no layer, and leaves layers without history undefined", () => {
    expect(historyLayerIndexes(config([{ created_by: "a" }, { created_by: "b" }], 1))).toEqual([0, null]);
    expect(layerCreatedBy(config([{ created_by: "a" }, { created_by: "b" }], 1))).toEqual(["a"]);
    expect(layerCreatedBy(config([{ created_by: "a" }], 3))).toEqual(["a", undefined, undefined]);
    expect(layerCreatedBy(config([], 2))).toEqual([undefined, undefined]);
    expect(historyLayerIndexes(config([{ empty_layer: true }, {}], 1))).toEqual([null, 0]);
  });
});
