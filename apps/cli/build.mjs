// Bundles the CLI into dist/ with every dependency inside, so `npm install -g @hla-compass/cli`
// needs nothing else. Commands are split into chunks that load only when they run.
import { randomBytes } from 'node:crypto';
import { cp, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const { version } = JSON.parse(await readFile(new URL('./package.json', import.meta.url), 'utf8'));
// Paths are this package's, wherever the script is started from.
const root = fileURLToPath(new URL('.', import.meta.url));
const dist = join(root, 'dist');
// Built beside dist/ and swapped in with renames: a CLI process running from dist/ meanwhile (a
// test suite, another build's tests) never finds it half written or gone for seconds.
const staging = join(root, `.dist-${randomBytes(4).toString('hex')}`);

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

const common = {
  absWorkingDir: root,
  outdir: staging,
  bundle: true,
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
  logLevel: 'warning',
};
await build({
  ...common,
  entryPoints: { 'hla-compass': 'src/main.ts' },
  splitting: true,
  // Optional native add-ons (cpu-features, of ssh2, which is stubbed anyway), loaded in try/catch;
  // and the fast path, bundled on its own below.
  external: ['cpu-features', '*.node', './fast-path.js'],
});
// The fast path of an unchanged build or push (src/fast-path.ts, and its build part) as one file
// each: it is all such a run loads, and one module costs less to resolve and link than chunks.
await build({
  ...common,
  entryPoints: { 'fast-path': 'src/fast-path.ts', 'fast-build': 'src/fast-build.ts' },
  splitting: false,
  external: ['./fast-build.js'],
});
await cp(join(root, 'templates'), join(staging, 'templates'), { recursive: true });
const previous = `${staging}-previous`;
await rename(dist, previous).catch((error) => {
  if (error.code !== 'ENOENT') throw error;
});
await rename(staging, dist);
await rm(previous, { recursive: true, force: true });
