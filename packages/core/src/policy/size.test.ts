import { describe, expect, it } from "vitest";
import { formatSize, parseSize, unitProblem } from "./size.js";

describe("parseSize", () => {
  it("keeps decimal and binary units distinct", () => {
    expect(parseSize("200MB")).toBe(200_000_000);
    expect(parseSize("200MiB")).toBe(200 * 1024 * 1024);
    expect(parseSize("1.5GiB")).toBe(1610612736);
    expect(parseSize("1.5GB")).toBe(1_500_000_000);
    expect(parseSize("10kB")).toBe(10_000);
    expect(parseSize("10KB")).toBe(10_000);
    expect(parseSize("10KiB")).toBe(10_240);
    expect(parseSize("512")).toBe(512);
    expect(parseSize("512 B")).toBe(512);
    expect(parseSize(" 20 MB ")).toBe(20_000_000);
    expect(parseSize(1234)).toBe(1234);
  });
  it("refuses what is not a size", () => {
    for (const bad of ["", "MB", "200mb", "200Mb", "-1MB", "1e6", "200 megabytes", "1.5.1GB", "200XB"]) expect(parseSize(bad)).toBeUndefined();
    expect(parseSize(-1)).toBeUndefined();
    expect(parseSize(1.5)).toBeUndefined();
  });
});

describe("unitProblem", () => {
  it("asks for a unit on a bare number, except 0", () => {
    expect(unitProblem("200")).toBe('a size needs a unit: "200MB" (10^6 bytes), "200MiB" (2^20) or "200B" for bytes');
    expect(unitProblem(200)).toBe('a size needs a unit: "200MB" (10^6 bytes), "200MiB" (2^20) or "200B" for bytes');
    expect(unitProblem(" 1.5 ")).toBe('a size needs a unit: "1.5MB" (10^6 bytes), "1.5MiB" (2^20) or "1.5B" for bytes');
    for (const fine of [0, "0", "0.0", "200MB", "512B", "512 B", "1.5GiB"]) expect(unitProblem(fine)).toBeUndefined();
  });
});

describe("formatSize", () => {
  it("formats SI and binary", () => {
    expect(formatSize(999)).toBe("999 B");
    expect(formatSize(200_000_000)).toBe("200 MB");
    expect(formatSize(254_312_000)).toBe("254.3 MB");
    expect(formatSize(1_234_567)).toBe("1.23 MB");
    expect(formatSize(600 * 2 ** 20, true)).toBe("600 MiB");
    expect(formatSize(1610612736, true)).toBe("1.5 GiB");
  });
});
