import { z } from "zod";

/**
 * zod schemas for the JSON documents an image is made of (image-spec
 * manifest.md, image-index.md, config.md, image-layout.md; docker save
 * manifest.json). Unknown fields are kept and never rejected (config.md:
 * "MUST NOT error on unknown fields").
 */
const digestPattern = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
export const digestSchema = z.string().regex(digestPattern, "expected a digest like sha256:<hex>");

export const platformSchema = z.looseObject({
  os: z.string(),
  architecture: z.string(),
  variant: z.string().optional(),
  "os.version": z.string().optional(),
});

export const descriptorSchema = z.looseObject({
  mediaType: z.string(),
  digest: digestSchema,
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: platformSchema.optional(),
  urls: z.array(z.string()).optional(),
});

export const manifestSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});

export const indexSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(descriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});

const stringList = z.array(z.string()).nullish();

export const containerConfigSchema = z.looseObject({
  User: z.string().optional(),
  Env: stringList,
  Entrypoint: stringList,
  Cmd: stringList,
  WorkingDir: z.string().optional(),
  ExposedPorts: z.record(z.string(), z.unknown()).nullish(),
  Volumes: z.record(z.string(), z.unknown()).nullish(),
  Labels: z.record(z.string(), z.string()).nullish(),
  StopSignal: z.string().optional(),
  Healthcheck: z.looseObject({ Test: stringList }).nullish(),
  Shell: stringList,
  OnBuild: stringList,
});

export const historySchema = z.looseObject({
  created: z.string().optional(),
  created_by: z.string().optional(),
  author: z.string().optional(),
  comment: z.string().optional(),
  empty_layer: z.boolean().optional(),
});

export const configSchema = z.looseObject({
  architecture: z.string(),
  os: z.string(),
  variant: z.string().optional(),
  created: z.string().optional(),
  config: containerConfigSchema.nullish(),
  rootfs: z.looseObject({
    // config.md: an unknown rootfs.type MUST error.
    type: z.literal("layers"),
    diff_ids: z.array(digestSchema),
  }),
  history: z.array(historySchema).nullish(),
});

export const ociLayoutSchema = z.looseObject({ imageLayoutVersion: z.string() });

/** docker save's manifest.json (SPECS §5). */
export const dockerSaveManifestSchema = z.array(
  z.looseObject({
    Config: z.string(),
    RepoTags: z.array(z.string()).nullish(),
    Layers: z.array(z.string()),
  }),
);
