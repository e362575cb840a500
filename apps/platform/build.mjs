// Builds dist/: the library and its types with tsc (what `import '@hla-compass/platform'` loads),
// and the `hla-compass-platform` executable with esbuild: dist/bin.js, a few lines that load
// dist/cli.js, src/cli.ts with everything it imports in one file. Started from ~280 modules, the
// emulator spent half its start-up resolving and loading them (issue 18).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

// Paths are this package's, wherever the script is started from.
const root = fileURLToPath(new URL('.', import.meta.url));
const dist = join(root, 'dist');
// Built beside dist/ and swapped in with renames: a bin or a test running from dist/ meanwhile
// never finds it half written or gone for seconds.
const staging = join(root, `.dist-${randomBytes(4).toString('hex')}`);

try {
  // tsconfig.build.json leaves out src/bin.ts and src/cli.ts: they are the executable, not the
  // library, and esbuild writes them.
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', staging], {
    cwd: root,
    stdio: 'inherit',
  });
  await build({
    absWorkingDir: root,
    // Both at the top of dist/, where the sources' import.meta.url paths expect them: the package
    // directory is the parent of the file's own (cli.ts reads package.json, start.ts the seed).
    entryPoints: { bin: 'src/bin.ts', cli: 'src/cli.ts' },
    outdir: staging,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Whitespace and syntax only: the functions keep their names, so a stack trace (a crash, an
    // internal error in the log) reads without a source map. Mangling names saved no measurable
    // start-up time; reading the 500-KB map at every start (process.setSourceMapsEnabled in the
    // bin) cost ~9 ms of ~200 (issue 18), so the map is linked but not read unless asked:
    // NODE_OPTIONS=--enable-source-maps maps traces to src/ (shipped in the package), the
    // workspace packages and node_modules where the build found them. Without the sources inside,
    // the map is a third of the size.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'linked',
    // better-sqlite3 is a native add-on, loaded from node_modules as a dependency; ./cli.js is
    // bin.ts's own import of the bundle beside it.
    external: ['better-sqlite3', './cli.js'],
    logLevel: 'warning',
  });
  const previous = `${staging}-previous`;
  await rename(dist, previous).catch((error) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await rename(staging, dist);
  await rm(previous, { recursive: true, force: true });
} catch (error) {
  await rm(staging, { recursive: true, force: true });
  throw error;
}
