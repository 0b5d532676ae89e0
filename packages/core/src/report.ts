import { z } from "zod";
import { CATEGORIES, SEVERITIES } from "./finding.js";
import { analysisSchema } from "./analysis.js";

/**
 * The JSON report: a public contract (schemaVersion 1).
 * Fields may be added; none renamed or removed without bumping the version.
 * The same schema is published as JSON Schema (schema/report.schema.json).
 */
export const findingSchema = z.object({
  ruleId: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  category: z.enum(CATEGORIES),
  severity: z.enum(SEVERITIES),
  message: z.string(),
  path: z.string().optional(),
  layer: z.number().int().nonnegative().nullable(),
  layerRole: z
    .enum(["base", "app"])
    .optional()
    .meta({ description: "Whether the layer that added it is the base image's (image.base) or one the user added; config findings are app. Absent when the base could not be told." }),
  inFinalImage: z.boolean(),
  evidence: z.record(z.string(), z.unknown()).optional(),
  aggregate: z
    .object({
      count: z.number().int().positive(),
      inFinalImage: z.number().int().nonnegative(),
      bySeverity: z.partialRecord(z.enum(SEVERITIES), z.number().int().nonnegative()),
      samplePaths: z.array(z.string()),
    })
    .optional()
    .meta({ description: "Present on the one finding that stands for a rule's findings past the report's per-rule limit." }),
});

/** What a compressed size is (layer-sizes.ts): "unknown" for the whole image when any layer's is. */
const compressedKindSchema = z.enum(["stored", "estimated", "unknown"]).meta({
  description:
    "stored: the compressed blob as stored, or a registry's blob (what a pull downloads); estimated: gzip level 6 of a layer stored uncompressed, computed during the scan; unknown: stored uncompressed and not estimated (the compressed size then holds the stored size).",
});

export const layerReportSchema = z.object({
  index: z.number().int().nonnegative(),
  digest: z.string(),
  diffId: z.string(),
  mediaType: z.string(),
  compression: z.enum(["gzip", "zstd", "none"]),
  compressedSize: z
    .number()
    .int()
    .nonnegative()
    .meta({ description: "Per compressedSizeKind: the stored compressed blob, gzip -6's estimate, or (unknown) the stored size." }),
  uncompressedSize: z.number().int().nonnegative(),
  entries: z.number().int().nonnegative(),
  files: z.number().int().nonnegative(),
  createdBy: z.string().nullable(),
  storedSize: z.number().int().nonnegative().meta({ description: "Bytes of the blob as stored in the input." }),
  compressedSizeKind: compressedKindSchema,
});

const wastedPathSchema = z.object({
  path: z.string().meta({ description: "A file, a directory (what is wasted below it), or DIR/* (the files directly in DIR)." }),
  kind: z.enum(["file", "dir", "files"]),
  bytes: z.number().int().nonnegative(),
  files: z.number().int().nonnegative(),
  addedIn: z.number().int().nonnegative().meta({ description: "Index of the layer that added the bytes." }),
  removedIn: z.number().int().nonnegative().meta({ description: "Index of the layer that deleted or overwrote them." }),
  how: z.enum(["whiteout", "opaque", "overwrite"]),
});

export const wasteSchema = z
  .object({
    top: z.array(wastedPathSchema).meta({ description: "The largest wasted paths, most bytes first." }),
    rest: z
      .object({ bytes: z.number().int().nonnegative(), files: z.number().int().nonnegative() })
      .meta({ description: "Wasted bytes and files not in top: top's bytes plus rest.bytes equal sizes.wasted." }),
  })
  .meta({ description: "Where sizes.wasted is: paths shipped in one layer and deleted or overwritten in a later one, like dive's top wasted files." });

export const gateCheckSchema = z.object({
  id: z.string(),
  passed: z.boolean(),
  actual: z.unknown(),
  limit: z.unknown(),
  message: z.string().optional(),
  actualKind: z
    .enum(["estimated", "unknown"])
    .optional()
    .meta({ description: "Size checks only: `actual` is an estimate, or is unknown (null) and the check failed closed." }),
});

export const reportSchema = z.object({
  schemaVersion: z.literal(1),
  tool: z.object({ name: z.literal("layerlint"), version: z.string() }),
  image: z.object({
    input: z.string(),
    source: z.enum(["registry", "oci-layout", "oci-archive", "docker-archive"]),
    reference: z.string().nullable(),
    pinnedReference: z
      .string()
      .nullable()
      .meta({ description: "Registry inputs: the reference pinned to the digest `layerlint digest` prints, the index digest for an image chosen from a multi-platform index." }),
    indexDigest: z
      .string()
      .optional()
      .meta({ description: "The image index the image was chosen from, when the input named one; manifestDigest is then the chosen platform's manifest." }),
    manifestDigest: z.string(),
    configDigest: z.string(),
    platform: z.string(),
    os: z.object({ id: z.string(), versionId: z.string().nullable(), prettyName: z.string().nullable() }).nullable(),
    baseClass: z.object({
      class: z.enum(["distroless", "alpine", "slim", "full", "scratch", "unknown"]),
      reasons: z.array(z.string()),
    }),
    user: z.string(),
    base: z
      .object({
        layers: z.number().int().nonnegative().meta({ description: "How many bottom layers are the base image's." }),
        detectedBy: z.enum(["history", "annotation", "flag"]),
        name: z.string().optional(),
        digest: z.string().optional(),
      })
      .optional()
      .meta({
        description:
          "The base image: flag (--base, its diff_ids a prefix of this image's), annotation (org.opencontainers.image.base.* name it; the layer count is history's), or history (a root-filesystem step such as ADD file:… in /, or where BuildKit's own steps begin). Absent when none tells.",
      }),
    sizes: z.object({
      compressed: z.number().int().nonnegative(),
      uncompressed: z.number().int().nonnegative(),
      wasted: z.number().int().nonnegative(),
      files: z.number().int().nonnegative(),
      stored: z.number().int().nonnegative().meta({ description: "Sum of the layer blobs as stored in the input." }),
      compressedKind: compressedKindSchema,
    }),
    layers: z.array(layerReportSchema),
    waste: wasteSchema.optional(),
  }),
  summary: z.object({
    total: z.number().int().nonnegative(),
    bySeverity: z.record(z.enum(SEVERITIES), z.number().int().nonnegative()),
    byCategory: z.record(z.string(), z.number().int().nonnegative()),
  }),
  findings: z.array(findingSchema),
  analysis: analysisSchema.optional(),
  gate: z.object({ passed: z.boolean(), checks: z.array(gateCheckSchema) }).optional(),
});

export type Report = z.infer<typeof reportSchema>;
export type LayerReport = z.infer<typeof layerReportSchema>;

/** The report's JSON Schema, as published in the package. */
export function reportJsonSchema(): unknown {
  return z.toJSONSchema(reportSchema, { target: "draft-2020-12" });
}
