import { describe, expect, it } from "vitest";
import { familiarName, idHint, matchesName, normalizedName, parseImageQuery, selectByQuery, shortIds } from "./image-query.js";

const hex = (c: string) => c.repeat(64).slice(0, 64);

describe(":REF read as docker reads an image name", () => {
  it("normalises a name as docker pull does: no tag is :latest, Docker Hub's spellings are one", () => {
    const same = ["app", "app:latest", "library/app", "library/app:latest", "docker.io/library/app:latest", "index.docker.io/library/app:latest"];
    for (const s of same) expect(normalizedName(s), s).toBe("docker.io/library/app:latest");
    expect(normalizedName("org/app:1")).toBe("docker.io/org/app:1");
    expect(normalizedName("ghcr.io/org/app:1")).toBe("ghcr.io/org/app:1");
    expect(normalizedName("Not A Name")).toBeUndefined();
  });

  it("a name matches an entry written in any of docker's spellings, or literally (an OCI ref.name such as `1`)", () => {
    const q = parseImageQuery("docker.io/library/test_image_1:latest");
    expect(matchesName(q, ["test_image_1"])).toBe(true);
    expect(matchesName(q, ["test_image_1:1"])).toBe(false);
    expect(matchesName(parseImageQuery("1"), ["1"])).toBe(true);
    expect(matchesName(parseImageQuery("app:1"), ["docker.io/library/app:1", "1"])).toBe(true);
    expect(matchesName(parseImageQuery("other:1"), ["docker.io/library/app:1", "1"])).toBe(false);
  });

  it("reads digests, NAME@DIGEST and short IDs as moby's resolveImage does", () => {
    expect(parseImageQuery(`sha256:${hex("a")}`)).toEqual({ raw: `sha256:${hex("a")}`, digest: `sha256:${hex("a")}` });
    expect(parseImageQuery(hex("b")).digest).toBe(`sha256:${hex("b")}`);
    expect(parseImageQuery(`app@sha256:${hex("c")}`)).toMatchObject({ digest: `sha256:${hex("c")}`, repository: "docker.io/library/app" });
    // 4 to 64 hex digits (checkTruncatedID), tried after the name.
    expect(parseImageQuery("abcd")).toMatchObject({ name: "docker.io/library/abcd:latest", idPrefix: "abcd" });
    expect(parseImageQuery("sha256:abcd12")).toMatchObject({ idPrefix: "abcd12" });
    expect(parseImageQuery("abc").idPrefix).toBeUndefined();
    expect(parseImageQuery("ABCD").idPrefix).toBeUndefined();
    expect(idHint("abc")).toBe(" (an image ID prefix takes at least 4 hex digits)");
    expect(idHint("abcd")).toBe("");
  });

  it("selects by name first, then digest, then a short ID that must begin one image's digest only", () => {
    const items = [
      { names: ["app:1"], digest: `sha256:ab12${hex("0").slice(4)}` },
      { names: ["ab12"], digest: `sha256:${hex("f")}` },
      { names: [], digest: `sha256:ab12${hex("1").slice(4)}` },
    ];
    const select = (ref: string) => selectByQuery(items, parseImageQuery(ref), (i) => i.names, (i) => i.digest, "x.tar");
    // A name that looks like an ID is a name first, as in docker.
    expect(select("ab12")).toEqual([items[1]]);
    expect(select("ab120")).toEqual([items[0]]);
    expect(select(`sha256:ab12${hex("1").slice(4)}`)).toEqual([items[2]]);
    expect(() => select("sha256:ab12")).toThrow('x.tar: "sha256:ab12" is ambiguous; it begins 2 image digests: sha256:ab1200000000, sha256:ab1211111111');
    expect(select(`app@${items[0]!.digest}`)).toEqual([items[0]]);
    expect(select(`other@${items[0]!.digest}`)).toEqual([]);
  });

  it("lists digests by the shortest prefix of 12 or more hex digits that tells them apart", () => {
    expect(shortIds([`sha256:${hex("a")}`, `sha256:${hex("b")}`])).toEqual(["sha256:aaaaaaaaaaaa", "sha256:bbbbbbbbbbbb"]);
    const a = `sha256:${"1".repeat(13)}${hex("a").slice(13)}`;
    const b = `sha256:${"1".repeat(13)}${hex("b").slice(13)}`;
    expect(shortIds([a, b])).toEqual([`sha256:${"1".repeat(13)}a`, `sha256:${"1".repeat(13)}b`]);
  });

  it("prints names as docker does", () => {
    expect(familiarName("docker.io/library/app:1")).toBe("app:1");
    expect(familiarName("docker.io/org/app:1")).toBe("org/app:1");
    expect(familiarName("ghcr.io/org/app:1")).toBe("ghcr.io/org/app:1");
    expect(familiarName("test_image_1")).toBe("test_image_1");
  });
});
