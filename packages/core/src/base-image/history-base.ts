/**
 * The base image's layers, read from the config's history alone. Two
 * signals, the later boundary wins:
 *
 * 1. A root-filesystem marker: the step that laid down an OS tree, which
 *    is how a `FROM` chain begins.
 *    - the classic builder's `ADD file:<sha256> in /` (`/bin/sh -c #(nop)
 *      ADD file:… in /`), what `ADD rootfs.tar.xz /` records in the
 *      official Debian, Ubuntu and older Alpine images
 *      (https://github.com/moby/moby/blob/master/builder/dockerfile/dispatchers.go);
 *    - BuildKit's `ADD <name>.tar[.gz|.xz|…] / # buildkit` (Alpine's
 *      minirootfs since 3.18): ADD unpacks a local tar archive
 *      (https://docs.docker.com/reference/dockerfile/#adding-local-tar-archives);
 *    - debuerreotype's step, comment `debuerreotype <version>`, which
 *      Debian's official images record instead
 *      (https://github.com/debuerreotype/debuerreotype).
 *    The base is the last marker's layer and every layer below it.
 * 2. BuildKit's own steps: BuildKit copies the base's history unchanged and
 *    appends one entry per Dockerfile instruction with the comment
 *    `buildkit.dockerfile.v0`
 *    (https://github.com/moby/buildkit/blob/master/frontend/dockerfile/dockerfile2llb/convert.go).
 *    When the history ends in a run of such entries after entries without
 *    it (a base built by Bazel, the classic builder, debuerreotype…), the
 *    entries before the run are the base's.
 *
 * History is advice written by builders, not a record the registry checks:
 * with several FROM generations built by BuildKit (nginx on Debian), only
 * the bottom one is found this way. `--base` and the base annotations say
 * more. A history whose non-empty entries do not match the layers tells
 * nothing.
 */
import type { HistoryEntry, ImageConfig } from "../types.js";
import { historyLayerIndexes } from "../history.js";

/** A base found in history: its layer count, and the history entries that are surely the base's. */
export interface HistoryBase {
  layers: number;
  /** History entries [0, historyEnd) belong to the base. */
  historyEnd: number;
}

const CLASSIC_ROOTFS = /^(?:\/bin\/sh -c #\(nop\)\s*)?ADD file:[0-9a-f]{16,} in \/\s*$/;
const BUILDKIT_ROOTFS = /^ADD \S+\.(?:tar|tar\.gz|tgz|tar\.xz|txz|tar\.bz2|tbz2?|tar\.zst) \/ # buildkit$/;
const BUILDKIT_COMMENT = "buildkit.dockerfile.v0";

function isRootfsMarker(h: HistoryEntry): boolean {
  const by = (h.created_by ?? "").trim();
  if (CLASSIC_ROOTFS.test(by) || BUILDKIT_ROOTFS.test(by)) return true;
  return (h.comment ?? "").startsWith("debuerreotype ");
}

/** The base by history, or undefined when history cannot tell. */
export function historyBase(config: ImageConfig): HistoryBase | undefined {
  const history = config.history;
  const layerOf = historyLayerIndexes(config);
  const built = layerOf.filter((l) => l !== null).length;
  // Entries that do not account for every layer exactly cannot be mapped to them.
  if (history.length === 0 || built !== config.rootfs.diff_ids.length || history.filter((h) => !h.empty_layer).length !== built) {
    return undefined;
  }
  let best: HistoryBase | undefined;
  const consider = (b: HistoryBase) => {
    if (best === undefined || b.layers > best.layers) best = b;
  };

  for (let i = history.length - 1; i >= 0; i--) {
    const layer = layerOf[i];
    if (layer !== null && layer !== undefined && isRootfsMarker(history[i]!)) {
      consider({ layers: layer + 1, historyEnd: i + 1 });
      break;
    }
  }

  let run = history.length;
  while (run > 0 && history[run - 1]!.comment === BUILDKIT_COMMENT) run--;
  if (run > 0 && run < history.length) {
    consider({ layers: layerOf.slice(0, run).filter((l) => l !== null).length, historyEnd: run });
  }
  return best;
}
