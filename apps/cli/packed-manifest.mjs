// The package.json that npm and pnpm pack: the CLI is one bundle with no dependencies, so the
// devDependencies it is built and tested with (workspace packages, the private testkit among
// them) stay out of what users install. npm and pnpm both read package.json again after
// `prepack`: `prepack` writes it without them, keeping the file as it was beside it, and
// `postpack` puts that back.
import { readFile, rename, writeFile } from 'node:fs/promises';

const manifest = new URL('./package.json', import.meta.url);
const kept = new URL('./package.json.unpacked', import.meta.url);

async function restore() {
  await rename(kept, manifest).catch((error) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

const step = process.argv[2];
if (step === 'prepack') {
  // A pack that died before its postpack left the stripped file: start from the kept one.
  await restore();
  const text = await readFile(manifest, 'utf8');
  const { devDependencies: _, ...packed } = JSON.parse(text);
  await writeFile(kept, text);
  const next = new URL('./package.json.packing', import.meta.url);
  await writeFile(next, `${JSON.stringify(packed, null, 2)}\n`);
  // A rename, so nothing reading package.json meanwhile sees half a file.
  await rename(next, manifest);
} else if (step === 'postpack') {
  await restore();
} else {
  throw new Error(`packed-manifest.mjs: expected prepack or postpack, got ${step}`);
}
