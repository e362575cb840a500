// Bundles the CLI into dist/ with every dependency inside, so `npm install -g @hla-compass/cli`
// needs nothing else. Commands are split into chunks that load only when they run.
import { randomBytes } from 'node:crypto';
import { cp, readFile, rename, rm } from 'node:fs/promises';
import { join, sep } from 'node:path';
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

// node:http and node:fs are taken with require, not import: an import makes Node build the
// module's ESM facade, which reads every export once, lazy getters included. On Node 22 and 24
// node:http's WebSocket, CloseEvent and MessageEvent getters load undici (the whole fetch
// implementation): `import * as http from 'node:http'` took 53 ms where require took 28 (Node 24,
// 15 interleaved pairs). node:fs's `promises` getter loads node:fs/promises, which on Node 24
// loads readline and the fs watchers (~1.6 ms): only the fast path gains from that, since it alone
// has no other reason to load fs/promises (a no-op push on Node 24, 40 interleaved pairs, 0.94x
// with fast-path.ts and atomic-file.ts on node:fs's synchronous calls). No other built-in the CLI
// imports differs by more than noise that way (https, crypto, stream, child_process, net, zlib,
// path, url, module), so they stay imports. esbuild wraps each as a CommonJS module whose exports
// are read where they are used.
const BY_REQUIRE = /^(node:)?(http|fs)$/;
const byRequire = {
  name: 'by-require',
  setup(plugin) {
    plugin.onResolve({ filter: BY_REQUIRE }, (args) =>
      args.kind === 'import-statement' || args.kind === 'dynamic-import'
        ? { path: `node:${args.path.replace(/^node:/, '')}`, namespace: 'by-require' }
        : undefined,
    );
    plugin.onLoad({ filter: /.*/, namespace: 'by-require' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

// commander requires node:child_process when it loads, for executable subcommands (`git-foo`
// style), which hla-compass has none of; loading it (with dgram and the socket list) was ~2.5 ms
// of every command on Node 24. commander's copy is a proxy that requires it on first use.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(plugin) {
    plugin.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes(`${sep}commander${sep}`)
        ? { path: 'node:child_process', namespace: 'lazy-child-process' }
        : undefined,
    );
    plugin.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents:
        "let loaded; module.exports = new Proxy({}, { get: (_, key) => (loaded ??= require('node:child_process'))[key] });",
      loader: 'js',
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
  plugins: [unbundled, byRequire, lazyChildProcess],
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
