import { describe, expect, it } from "vitest";
import { checkGroup } from "./check-display.js";

describe("checkGroup", () => {
  it("classifies every check evaluatePolicy writes; forbid-latest is provenance, not a tool ban", () => {
    const groups: Record<string, string> = {
      "max-compressed": "size",
      "max-uncompressed": "size",
      "max-layers": "size",
      "max-layer-size": "size",
      "max-wasted": "size",
      "max-wasted-percent": "size",
      "min-efficiency": "size",
      "forbid-shell": "tools",
      "forbid-package-manager": "tools",
      "forbid-setuid": "tools",
      "forbid-capability": "tools",
      "require-non-root": "user",
      "require-digest": "provenance",
      "forbid-latest": "provenance",
      "allowed-registries": "provenance",
      "fail-on": "findings",
      "new-findings": "findings",
    };
    expect(Object.fromEntries(Object.keys(groups).map((id) => [id, checkGroup(id)]))).toEqual(groups);
  });
});
