import { z } from "zod";
import { digestHexLength } from "./reference/grammar.js";

/**
 * zod schemas for the JSON documents an image is made of (image-spec
 * manifest.md, image-index.md, config.md, image-layout.md; docker save
 * manifest.json). Unknown fields are kept and never rejected (config.md:
 * "MUST NOT error on unknown fields").
 */
const digestPattern = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const lowerHex = /^[a-f0-9]+$/;
/**
 * Registered algorithms (DIGEST_HEX_LENGTH) carry lowercase hex of a fixed
 * length (image-spec descriptor.md); other algorithms pass on the pattern alone.
 */
export const digestSchema = z
  .string()
  .regex(digestPattern, "expected a digest like sha256:<hex>")
  .refine((d) => {
    const colon = d.indexOf(":");
    const alg = d.slice(0, colon);
    const hex = d.slice(colon + 1);
    const want = digestHexLength(alg);
    return want === undefined || (hex.length === want && lowerHex.test(hex));
  }, "expected lowercase hex of the algorithm's length");

/** RFC 6838 type/subtype, as image-spec's content-descriptor.json has it. */
const mediaTypeSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/, "expected a media type like type/subtype");

const urlSchema = z.string().refine((u) => URL.canParse(u), "expected a URL");
const base64Schema = z
  .string()
  .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, "expected padded base64");

export const platformSchema = z.looseObject({
  os: z.string(),
  architecture: z.string(),
  variant: z.string().optional(),
  "os.version": z.string().optional(),
});

export const descriptorSchema = z.looseObject({
  mediaType: mediaTypeSchema,
  artifactType: mediaTypeSchema.optional(),
  digest: digestSchema,
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: platformSchema.optional(),
  urls: z.array(urlSchema).optional(),
  data: base64Schema.optional(),
});

export const manifestSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: mediaTypeSchema.optional(),
  config: descriptorSchema,
  // image-manifest-schema.json: an image has at least one layer.
  layers: z.array(descriptorSchema).min(1),
  subject: descriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

export const indexSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: mediaTypeSchema.optional(),
  manifests: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const stringList = z.array(z.string()).nullish();

export const containerConfigSchema = z.looseObject({
  User: z.string().optional(),
  // config-schema.json: each entry is KEY=value.
  Env: z.array(z.string().regex(/^[^=]+=.*$/s, "expected KEY=value")).nullish(),
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

/**
 * index.json of an image layout. Docker 25.0.0 and 25.0.1 write
 * `"manifests": null` when `docker save` names images by ID
 * (fixed in https://github.com/moby/moby/commit/d131f00fff); such an
 * archive is read through its manifest.json, as docker load reads it.
 */
export const layoutIndexSchema = indexSchema.extend({ manifests: z.array(descriptorSchema).nullable() });

export const ociLayoutSchema = z.looseObject({ imageLayoutVersion: z.string() });

/** docker save's manifest.json (https://github.com/moby/moby/blob/v20.10.24/image/tarexport/tarexport.go). */
export const dockerSaveManifestSchema = z.array(
  z.looseObject({
    Config: z.string(),
    RepoTags: z.array(z.string()).nullish(),
    Layers: z.array(z.string()),
  }),
);
