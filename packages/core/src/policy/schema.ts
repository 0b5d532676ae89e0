/**
 * The policy file: one shape for YAML and JSON, validated by zod
 * and published as JSON Schema (schema/policy.schema.json) for editor
 * completion. Objects are strict: a misspelt key is an error, never a
 * silently ignored limit.
 */
import { z } from "zod";
import { SEVERITIES } from "../finding.js";
import { parseSize, SIZE_HINT, unitProblem } from "./size.js";

/** Tool and privilege categories that `tools.forbid` understands. */
export const FORBID_CATEGORIES = [
  "shell",
  "package-manager",
  "interpreter",
  "download-tool",
  "network-tool",
  "setuid",
  "capability",
] as const;
export type ForbidCategory = (typeof FORBID_CATEGORIES)[number];

/** A human size ("200MB", "600MiB", "1.5GiB", "512B"; 0 needs no unit); parsed to bytes. */
export const sizeSchema = z
  .union(
    [
      z.number({ error: SIZE_HINT }).int({ error: SIZE_HINT }).nonnegative({ error: SIZE_HINT }),
      z.string({ error: SIZE_HINT }).regex(/^\s*\d+(\.\d+)?\s*(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?\s*$/, { error: SIZE_HINT }),
    ],
    { error: SIZE_HINT },
  )
  .transform((v, ctx) => {
    const noUnit = unitProblem(v);
    if (noUnit !== undefined) {
      ctx.issues.push({ code: "custom", message: noUnit, input: v });
      return z.NEVER;
    }
    const bytes = parseSize(v);
    if (bytes === undefined) {
      ctx.issues.push({ code: "custom", message: SIZE_HINT, input: v });
      return z.NEVER;
    }
    return bytes;
  })
  .meta({ description: 'A size with its unit: "200MB" (10^6), "600MiB" (2^20), "1.5GiB", "512B" for bytes; only 0 may go without one.' });

const count = (what: string) =>
  z.number({ error: `expected a whole number of ${what}` }).int({ error: `expected a whole number of ${what}` }).nonnegative({ error: `expected a whole number of ${what}` });

const ratio = z
  .number({ error: "expected a number between 0 and 1" })
  .min(0, { error: "expected a number between 0 and 1" })
  .max(1, { error: "expected a number between 0 and 1" });

const percent = z
  .number({ error: "expected a percentage between 0 and 100" })
  .min(0, { error: "expected a percentage between 0 and 100" })
  .max(100, { error: "expected a percentage between 0 and 100" });

const flag = z.boolean({ error: "expected true or false" });
const nonEmpty = (what: string) => z.string({ error: `expected ${what}` }).trim().min(1, { error: `expected ${what}` });

const DATE_HINT = "expected a date like 2027-06-30 or an ISO 8601 date-time";
const expiry = z.union([z.iso.date({ error: DATE_HINT }), z.iso.datetime({ offset: true, error: DATE_HINT })], { error: DATE_HINT });

export const ignoreSchema = z
  .strictObject({
    ruleId: nonEmpty("a rule id such as secret-private-key").optional().meta({ description: "Rule to ignore; any rule when absent." }),
    path: nonEmpty("an absolute path or glob such as /etc/ssl/private/*")
      .refine((p) => p.startsWith("/") || p.startsWith("**"), { error: 'expected an absolute path or glob, starting with "/" or "**"' })
      .optional()
      .meta({ description: "Path glob in the image (picomatch); any path when absent." }),
    reason: nonEmpty("a reason: say why this finding is accepted").meta({ description: "Required: why this is accepted." }),
    expires: expiry.optional().meta({
      description: "Last day the ignore applies (through 23:59:59 UTC for a date); after it the finding counts again.",
    }),
  })
  .refine((i) => i.ruleId !== undefined || i.path !== undefined, { error: "an ignore needs ruleId, path or both" });

export const policySchema = z
  .strictObject({
    $schema: z.string().optional(),
    size: z
      .strictObject({
        maxCompressed: sizeSchema.optional().meta({ description: "Sum of the stored (compressed) layer sizes." }),
        maxUncompressed: sizeSchema.optional().meta({ description: "Sum of the uncompressed layer tar sizes." }),
        maxLayers: count("layers").optional(),
        maxLayerSize: sizeSchema.optional().meta({ description: "Largest single layer, compressed (what a pull downloads)." }),
        maxWasted: sizeSchema.optional().meta({ description: "Bytes shipped but not visible in the final image." }),
        maxWastedPercent: percent.optional().meta({ description: "wasted / uncompressed × 100." }),
        minEfficiency: ratio.optional().meta({ description: "1 − wasted / uncompressed, as dive without its double count (dive#684)." }),
      })
      .optional(),
    tools: z
      .strictObject({
        forbid: z
          .array(z.enum(FORBID_CATEGORIES, { error: `expected one of ${FORBID_CATEGORIES.join(", ")}` }), {
            error: "expected a list of categories",
          })
          .optional(),
        allow: z
          .array(nonEmpty("a tool name or an absolute path"), { error: "expected a list of tool names or paths" })
          .optional()
          .meta({ description: "Tool names (python3) or exact paths (/usr/bin/python3.11) that forbid lets through." }),
      })
      .optional(),
    user: z.strictObject({ requireNonRoot: flag.optional() }).optional(),
    provenance: z
      .strictObject({
        requireDigest: flag.optional(),
        forbidLatest: flag.optional(),
        allowedRegistries: z
          .array(
            nonEmpty('a registry host or host/path pattern such as "ghcr.io/acme/*"').refine((p) => !p.includes("://"), {
              error: 'expected a registry host or host/path pattern, without a scheme such as "https://"',
            }),
            { error: "expected a list of registry patterns" },
          )
          .optional(),
      })
      .optional(),
    findings: z
      .strictObject({
        failOn: z.enum(SEVERITIES, { error: `expected one of ${SEVERITIES.join(", ")}` }).optional(),
      })
      .optional(),
    ignore: z.array(ignoreSchema, { error: "expected a list of ignores" }).optional(),
  })
  .meta({ title: "layerlint policy", description: "CI gate for layerlint: size, tools, user, provenance and findings." });

/** A policy as written (sizes still in human units). */
export type PolicyInput = z.input<typeof policySchema>;
/** A validated policy: sizes in bytes. */
export type Policy = z.output<typeof policySchema>;
export type IgnoreRule = z.output<typeof ignoreSchema>;

/** The policy's JSON Schema, as published in the package (what a user writes). */
export function policyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(policySchema, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
}
