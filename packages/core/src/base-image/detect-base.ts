/**
 * Which bottom layers are the base image's, by the first signal that
 * decides it:
 *
 * 1. `--base REF` (flag): that image's diff_ids must be the bottom of ours,
 *    in order; layers are the same layers only when their diff_ids are
 *    equal (https://github.com/opencontainers/image-spec/blob/main/config.md#layer-diffid).
 *    A base that is not such a prefix is reported (onWarning) and the next
 *    signal is tried.
 * 2. The manifest's `org.opencontainers.image.base.name` and
 *    `org.opencontainers.image.base.digest` annotations
 *    (https://github.com/opencontainers/image-spec/blob/main/annotations.md),
 *    written by buildah/podman, `crane mutate --set-base-image-annotations`,
 *    ko and jib. They name the base, but carry no layer count and the base
 *    is not read from them (that would fetch another image unasked): the
 *    count is the history's boundary (history-base.ts). Without one the
 *    scan says which `--base` would decide it.
 * 3. History alone (history-base.ts).
 */
import type { Finding } from "../finding.js";
import type { ImageConfig, ImageManifest } from "../types.js";
import { historyBase } from "./history-base.js";

export const BASE_NAME_ANNOTATION = "org.opencontainers.image.base.name";
export const BASE_DIGEST_ANNOTATION = "org.opencontainers.image.base.digest";

export type LayerRole = "base" | "app";

/** report.image.base: how many bottom layers are the base's, and how that was decided. */
export interface BaseImageInfo {
  layers: number;
  detectedBy: "history" | "annotation" | "flag";
  name?: string | undefined;
  digest?: string | undefined;
}

/** The base, plus the history entries known to be its own (for findings about a history step). */
export interface BaseAttribution {
  base: BaseImageInfo;
  /** History entries [0, historyEnd) are the base's; undefined: none known. */
  historyEnd: number | undefined;
}

/** What `--base REF` loaded: manifest and config only (load-base.ts). */
export interface FlagBase {
  /** As the user typed it. */
  ref: string;
  /** The normalised reference, for registry inputs. */
  name?: string | undefined;
  /** Its manifest digest. */
  digest: string;
  diffIds: readonly string[];
  historyLength: number;
}

/** Why `flag`'s layers are not our bottom layers, or undefined when they are. */
function notAPrefix(flag: FlagBase, ours: readonly string[]): string | undefined {
  if (flag.diffIds.length > ours.length) {
    return `it has ${flag.diffIds.length} layers, this image ${ours.length}`;
  }
  const k = flag.diffIds.findIndex((d, i) => d !== ours[i]);
  return k < 0 ? undefined : `its layer ${k} (${flag.diffIds[k]!.slice(0, 19)}…) is not this image's layer ${k}`;
}

export function detectBase(
  manifest: ImageManifest,
  config: ImageConfig,
  flag: FlagBase | undefined,
  onWarning: ((message: string) => void) | undefined,
): BaseAttribution | undefined {
  const history = historyBase(config);
  const annotations = manifest.annotations ?? {};
  const name = annotations[BASE_NAME_ANNOTATION] || undefined;
  const digest = annotations[BASE_DIGEST_ANNOTATION] || undefined;
  const annotated = name !== undefined || digest !== undefined;

  if (flag !== undefined) {
    const why = notAPrefix(flag, config.rootfs.diff_ids);
    if (why === undefined) {
      return {
        base: { layers: flag.diffIds.length, detectedBy: "flag", name: flag.name ?? flag.ref, digest: flag.digest },
        historyEnd: Math.min(flag.historyLength, config.history.length),
      };
    }
    const next = annotated && history ? "the base annotations" : history ? "history" : undefined;
    onWarning?.(`--base ${flag.ref} is not this image's base: ${why}; ${next ? `base layers taken from ${next}` : "base layers not attributed"}`);
  }

  if (annotated) {
    if (history !== undefined) {
      const base: BaseImageInfo = { layers: history.layers, detectedBy: "annotation" };
      if (name !== undefined) base.name = name;
      if (digest !== undefined) base.digest = digest;
      return { base, historyEnd: history.historyEnd };
    }
    if (flag === undefined) {
      const ref = name !== undefined && digest !== undefined && !name.includes("@") ? `${name}@${digest}` : (name ?? digest!);
      onWarning?.(`the manifest names its base (${ref}) but its history does not show which layers are the base's; pass --base ${ref} to attribute them`);
    }
    return undefined;
  }
  return history !== undefined ? { base: { layers: history.layers, detectedBy: "history" }, historyEnd: history.historyEnd } : undefined;
}

/** Whether `f` came from the base or the user's own layers. Config findings (layer null) are the user's: the final config is theirs to set. */
export function layerRoleOf(f: Finding, a: BaseAttribution): LayerRole {
  if (f.layer !== null) return f.layer < a.base.layers ? "base" : "app";
  const step = f.evidence?.["historyIndex"];
  if (typeof step === "number" && a.historyEnd !== undefined) return step < a.historyEnd ? "base" : "app";
  return "app";
}
