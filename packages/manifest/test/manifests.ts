// Manifests the tests start from: the smallest valid one, the smallest one a template would
// ship (valid under strict), and the platform SDK's own templates.
import type { Manifest } from '../src/index.js';

/** Only what SPEC §5 requires: valid, with warnings (no schemaVersion, no pricing tiers). */
export const MINIMAL_MANIFEST = {
  name: 'my-module',
  version: '1.0.0',
  type: 'no-ui',
  execution: { entrypoint: 'backend.main:Module' },
} as const satisfies Manifest;

/** The smallest manifest a template can ship: no issue at all, even under strict. */
export const TEMPLATE_MANIFEST = {
  $schema: 'https://schemas.hla-compass.alithea.bio/module-manifest-v1.json',
  schemaVersion: '1.0',
  name: 'my-module',
  version: '0.1.0',
  type: 'no-ui',
  execution: { entrypoint: 'backend.main:Module' },
  pricing: { tiers: [{ tier: 'developer', amountAct: 0 }] },
} as const satisfies Manifest;

/** The platform SDK's no-ui template (python-sdk.md §2.1), as `hla-compass init` writes it. */
export const SDK_NO_UI_TEMPLATE = {
  schemaVersion: '1.0',
  name: 'my-module',
  version: '1.0.0',
  type: 'no-ui',
  computeType: 'fargate',
  author: { name: 'Ada Lovelace', email: 'developer@example.com' },
  execution: {
    entrypoint: 'backend.main:NoUIModule',
    supports: ['interactive', 'workflow'],
    defaultMode: 'interactive',
  },
  inputs: {
    type: 'object',
    properties: {
      data_source: { type: 'array', items: { type: 'string' } },
      options: {
        type: 'object',
        properties: {
          batch_size: { type: 'integer', default: 100 },
          save_results: { type: 'boolean', default: false },
        },
      },
    },
    required: ['data_source'],
  },
  outputs: { results: { type: 'array', items: { type: 'object' } } },
  resources: { memory: 512, timeout: 180, environment: { LOG_LEVEL: 'INFO' } },
  metadata: { exposedParameters: [], auditLog: true },
  permissions: { database: ['read'], storage: true, network: [] },
  pricing: { tiers: [{ tier: 'developer', model: 'usage-based', amountAct: 0.25 }] },
} as const satisfies Manifest;

/** The SDK's UI template: with-ui, its own entrypoint and the `ui` build settings. */
export const SDK_WITH_UI_TEMPLATE = {
  ...SDK_NO_UI_TEMPLATE,
  type: 'with-ui',
  execution: {
    entrypoint: 'backend.main:UIModule',
    supports: ['interactive'],
    defaultMode: 'interactive',
  },
  inputs: {
    type: 'object',
    properties: {
      param1: { type: 'string' },
      param2: { type: 'string', default: 'default_value' },
    },
    required: ['param1'],
  },
  ui: { framework: 'react', buildCommand: 'npm run build', distPath: 'frontend/dist' },
  pricing: { tiers: [{ tier: 'developer', model: 'usage-based', amountAct: 0.5 }] },
} as const satisfies Manifest;

/**
 * A deep copy of `base` with the value at `path` replaced, or removed when `value` is
 * undefined. Arrays and objects on the way are created as needed.
 */
export function withField(
  base: object,
  path: readonly (string | number)[],
  value: unknown,
): Record<string, unknown> {
  const copy = structuredClone(base) as Record<string, unknown>;
  let node: Record<string | number, unknown> = copy;
  path.forEach((segment, index) => {
    if (index === path.length - 1) {
      if (value === undefined) delete node[segment];
      else node[segment] = value;
      return;
    }
    const next = node[segment];
    if (typeof next !== 'object' || next === null) {
      node[segment] = typeof path[index + 1] === 'number' ? [] : {};
    }
    node = node[segment] as Record<string | number, unknown>;
  });
  return copy;
}
