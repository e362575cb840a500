// The manifest v1 (SPEC §5) as one zod schema: it gives the `Manifest` type, the validation
// and, through `manifestJsonSchema()`, the JSON Schema editors use.
import * as z from 'zod';
import { parseSemVer, SEMVER_PATTERN } from './semver.js';

export const MODULE_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{1,48}[a-z0-9])?$/;

export const MANIFEST_SCHEMA_ID = 'https://schemas.hla-compass.alithea.bio/module-manifest-v1.json';

/** The platform assumes `docker` when a manifest names no `computeType`. */
export const DEFAULT_COMPUTE_TYPE = 'docker';

/** What the custom checks below attach to their issues, so messages can be written from it. */
export type SchemaCheckParams =
  | { code: 'schema.too_short' | 'schema.too_long'; limit: number }
  | { code: 'schema.not_unique' }
  | { code: 'schema.too_large' };

// Lengths count code points, as JSON Schema and the platform's Python validator do; zod's own
// min/max count UTF-16 code units and would halve the limit for emoji.
function text(description: string, limits: { min?: number; max?: number }) {
  return z
    .string()
    .meta({
      description,
      ...(limits.min === undefined ? {} : { minLength: limits.min }),
      ...(limits.max === undefined ? {} : { maxLength: limits.max }),
    })
    .check((payload) => {
      const length = [...payload.value].length;
      const params: SchemaCheckParams | undefined =
        limits.min !== undefined && length < limits.min
          ? { code: 'schema.too_short', limit: limits.min }
          : limits.max !== undefined && length > limits.max
            ? { code: 'schema.too_long', limit: limits.max }
            : undefined;
      // `continue: false` stops the checks that follow (a pattern), so one field gets one issue.
      if (params)
        payload.issues.push({ code: 'custom', input: payload.value, params, continue: false });
    });
}

function uniqueArray<T extends z.ZodType>(item: T, description: string) {
  return z
    .array(item)
    .meta({ description, uniqueItems: true })
    .check((payload) => {
      payload.value.forEach((value, index) => {
        if (payload.value.indexOf(value) < index) {
          const params: SchemaCheckParams = { code: 'schema.not_unique' };
          payload.issues.push({ code: 'custom', input: value, path: [index], params });
        }
      });
    });
}

const executionMode = z.enum(['interactive', 'async', 'workflow']);

const author = z
  .looseObject({
    name: text('the author or team name', { min: 1 }),
    // Any string, as on the platform: git's user.email, which `init` copies, is often a local
    // address such as ci@build-host that strict email grammars refuse. No `format` either, or
    // editors would refuse what validate accepts.
    email: z.string().meta({ description: 'a contact email address' }).optional(),
    organization: z
      .string()
      .meta({ description: 'the organization the author belongs to' })
      .optional(),
  })
  .meta({ description: 'who maintains the module' });

const execution = z
  .looseObject({
    entrypoint: text(
      'the backend class the runner loads, as module:ClassName, e.g. backend.main:Module',
      { min: 3 },
    ),
    supports: uniqueArray(executionMode, 'the modes the module can run in').optional(),
    defaultMode: executionMode
      .meta({ description: 'the mode used when none is asked for' })
      .optional(),
  })
  .meta({ description: 'how the platform runs the module' });

const count = (description: string, minimum: number) =>
  z.int().min(minimum).meta({ description }).optional();

const resources = z
  .looseObject({
    memory: z
      .literal([256, 512, 1024, 2048, 4096])
      .meta({ description: 'memory in MB: 256, 512, 1024, 2048 or 4096' })
      .optional(),
    memoryMb: count('memory in MB, at least 256', 256),
    vcpus: count('virtual CPUs, at least 1', 1),
    gpu: count('GPUs, 0 or more', 0),
    ephemeralStorageGiB: count('scratch disk in GiB, at least 10', 10),
    timeout: z
      .int()
      .min(3)
      .max(900)
      .meta({ description: 'maximum run time in seconds, 3 to 900' })
      .optional(),
    environment: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .meta({
        description: 'environment variables for the container: strings, numbers or booleans',
      })
      .optional(),
  })
  .meta({ description: 'what a run may use' });

const permissions = z
  .looseObject({
    database: uniqueArray(
      z.enum(['read', 'write', 'delete']),
      'database access: read, write and/or delete',
    ).optional(),
    storage: z.boolean().meta({ description: 'whether the module uses object storage' }).optional(),
    network: z
      .array(z.string())
      .meta({ description: 'hosts or CIDR ranges the module may reach' })
      .optional(),
  })
  .meta({ description: 'what the module may access' });

const dataRequirements = z
  .looseObject({
    required_columns: z.array(z.string()).optional(),
    min_rows: z.int().min(0).optional(),
    max_rows: z.int().min(1).optional(),
    supported_formats: z.array(z.enum(['JSON', 'CSV', 'PARQUET'])).optional(),
  })
  .meta({ description: 'the shape of tabular input data the module accepts' });

const jsonObject = (description: string) =>
  z.looseObject({}).nullable().meta({ description }).optional();

const ui = z
  .looseObject({
    framework: z.string().meta({ description: 'the UI framework, e.g. react' }).optional(),
    buildCommand: z
      .string()
      .meta({ description: 'how the UI is built, e.g. npm run build' })
      .optional(),
    distPath: z
      .string()
      .meta({ description: 'where the built UI lands, e.g. frontend/dist' })
      .optional(),
    bucket: z.string().meta({ description: 'set by the platform' }).optional(),
    bundleKey: z.string().meta({ description: 'set by the platform' }).optional(),
    keys: z.array(z.string()).meta({ description: 'set by the platform' }).optional(),
  })
  .meta({ description: 'the UI of a with-ui module' });

const pricingTier = z.looseObject({
  tier: z
    .enum(['developer', 'foundational', 'advanced', 'strategic'])
    .meta({ description: 'the subscription tier this price applies to' }),
  amountAct: z.number().min(0).meta({ description: 'the price in ACT credits, 0 or more' }),
  model: z
    .enum(['subscription', 'usage-based'])
    .meta({ description: 'how the price is charged' })
    .optional(),
});

const pricing = z
  .looseObject({
    tiers: z
      .array(pricingTier)
      .meta({ description: 'one price per tier; required before publishing' })
      .optional(),
  })
  .meta({ description: 'what a run costs' });

// An empty string is valid base64 but never a signature or a key.
const base64 = (description: string) => z.base64().min(1).meta({ description }).optional();

export const manifestSchema = z
  .looseObject({
    $schema: z
      .string()
      .meta({ description: 'the JSON Schema of this file, for editors' })
      .optional(),
    schemaVersion: z
      .enum(['1.0'])
      .meta({ description: 'the manifest schema version: "1.0"', default: '1.0' })
      .optional(),
    name: text(
      'lowercase letters, digits and hyphens, 3–50 characters, starting and ending with a letter or digit',
      { min: 3, max: 50 },
    ).regex(MODULE_NAME_PATTERN),
    version: z
      .string()
      .regex(SEMVER_PATTERN, { abort: true })
      .refine((value) => parseSemVer(value) !== undefined, {
        params: { code: 'schema.too_large' } satisfies SchemaCheckParams,
      })
      .meta({
        description:
          'MAJOR.MINOR.PATCH with an optional -prerelease and no +build, no leading zeros, e.g. 1.0.0 or 1.1.0-rc.1',
      }),
    type: z
      .enum(['no-ui', 'with-ui'])
      .meta({ description: 'no-ui: a backend only; with-ui: a backend and a frontend/ UI' }),
    computeType: z
      .enum(['docker', 'fargate', 'batch', 'lambda', 'sagemaker'])
      .meta({ description: 'where the platform runs the module', default: DEFAULT_COMPUTE_TYPE })
      .optional(),
    description: text('what the module does', { max: 500 }).optional(),
    tags: z.array(z.string()).max(10).meta({ description: 'search tags' }).optional(),
    author: author.optional(),
    execution,
    resources: resources.optional(),
    permissions: permissions.optional(),
    input_template: z.looseObject({}).meta({ description: 'an example input payload' }).optional(),
    data_requirements: dataRequirements.optional(),
    inputs: jsonObject('a JSON Schema of the run input'),
    outputs: jsonObject('a JSON Schema of the run output'),
    ui: ui.optional(),
    metadata: z
      .looseObject({})
      .meta({ description: 'free-form module metadata, e.g. exposedParameters and auditLog' })
      .optional(),
    pricing: pricing.optional(),
    signature: base64('the Ed25519 signature of the publish statement, base64; set by publish'),
    publicKey: base64('the signing public key, base64 of its DER SPKI; set by publish'),
    keyFingerprint: z
      .string()
      .meta({ description: 'SHA256: fingerprint of the signing key; set by publish' })
      .optional(),
    signatureAlgorithm: z
      .literal('Ed25519')
      .meta({ description: 'the signature algorithm; set by publish' })
      .optional(),
  })
  .meta({ $id: MANIFEST_SCHEMA_ID, title: 'HLA-Compass Module Manifest' });

export type Manifest = z.infer<typeof manifestSchema>;
