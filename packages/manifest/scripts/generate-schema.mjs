// Writes manifest.schema.json from the built package (`pnpm generate` builds first), so the
// committed file is exactly what manifestJsonSchema() returns.
import { writeFile } from 'node:fs/promises';
import { manifestJsonSchema } from '../dist/index.js';

const target = new URL('../manifest.schema.json', import.meta.url);
await writeFile(target, `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`);
console.error(`wrote ${target.pathname}`);
