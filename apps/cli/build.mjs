// Bundles the CLI into dist/ with every dependency inside, so `npm install -g @hla-compass/cli`
// needs nothing else. Commands are split into chunks that load only when they run.
import { cp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const { version } = JSON.parse(await readFile(new URL('./package.json', import.meta.url), 'utf8'));
// Paths are this package's, wherever the script is started from.
const root = fileURLToPath(new URL('.', import.meta.url));
const dist = join(root, 'dist');

// dockerode loads gRPC (BuildKit sessions) and docker-modem loads ssh2 (ssh:// engines) at start;
// hla-compass uses neither, and they were most of a build's 140 ms of module loading.
const UNBUNDLED = /^(@grpc\/grpc-js|@grpc\/proto-loader|ssh2)$/;
const unbundled = {
  name: 'unbundled',
  setup(plugin) {
    plugin.onResolve({ filter: UNBUNDLED }, () => ({
      path: join(root, 'build-stubs', 'unbundled.cjs'),
    }));
  },
};

await rm(dist, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { 'hla-compass': 'src/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'linked',
  define: { __HLA_COMPASS_VERSION__: JSON.stringify(version) },
  // CommonJS dependencies (dockerode, ssh2, tar-fs) expect these in scope.
  banner: {
    js: [
      "import { createRequire as __hlaCreateRequire } from 'node:module';",
      "import { fileURLToPath as __hlaFileURLToPath } from 'node:url';",
      "import { dirname as __hlaDirname } from 'node:path';",
      'const require = __hlaCreateRequire(import.meta.url);',
      'const __filename = __hlaFileURLToPath(import.meta.url);',
      'const __dirname = __hlaDirname(__filename);',
    ].join(' '),
  },
  plugins: [unbundled],
  // Optional native add-ons (cpu-features, of ssh2, which is stubbed anyway), loaded in try/catch.
  external: ['cpu-features', '*.node'],
  logLevel: 'warning',
});
await cp(join(root, 'templates'), join(dist, 'templates'), { recursive: true });
