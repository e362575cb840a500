// A module runtime image for tests that run modules (`hla-compass test`), made without any pull:
// this machine's Python (Debian's /usr/bin/python3, installed when missing as root on Debian),
// only the standard library files a module runner needs, and runtime/hla_compass (a small SDK
// Module and the runtime's runner, python-sdk.md §6.3) as its entrypoint. About 15 MB, so builds
// on it stay quick also where the engine falls back to the vfs storage driver, which copies every
// layer whole.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, readdir, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensureDebianPackages } from './debian.js';
import { ensureImportedImage, sharedLibraries, tar } from './imported-image.js';

const run = promisify(execFile);

const SERVICE = 'The test runtime image';
const PYTHON = '/usr/bin/python3';
const SHELL = '/bin/sh';

/** The tag tests pass to `hla-compass build --base-image` for modules they run. */
export const RUNTIME_IMAGE_TAG = 'hla-compass-test/python-runtime:1';

/** runtime/hla_compass in this package: the same place from src/ and from dist/. */
const SDK_DIR = fileURLToPath(new URL('../runtime/hla_compass', import.meta.url));

/**
 * Standard library modules loaded beyond the runner's own imports (runpy for `python -m`), each
 * with what it needs: what the test modules and the templates use, kept small.
 */
const EXTRA_MODULES = ['runpy', 'time', 'math', 'random', 're', 'datetime', 'pathlib', 'logging'];

/**
 * Makes `tag` exist in the engine at `dockerHost` and returns its image id: a no-op when it is
 * there, else `docker import` (through the engine API) of Python, the files it loads, /bin/sh
 * (for a look inside) and the test SDK, with `python3 -m hla_compass.runner` as entrypoint.
 */
export async function ensureRuntimeImage(
  dockerHost: string,
  tag: string = RUNTIME_IMAGE_TAG,
): Promise<string> {
  return ensureImportedImage(dockerHost, tag, {
    service: SERVICE,
    madeFrom: "this machine's Python",
    async writeArchive(archive, stage) {
      if (!existsSync(PYTHON)) await ensureDebianPackages(['python3'], { reason: SERVICE });
      // The binary itself, not Debian's alternatives link, which the image does not hold.
      const python = await realpath(PYTHON);
      const sitePackages = await stageSdk(python, stage);
      const hostFiles = await runtimeFiles(python);
      // -h stores what symlinks point to (sitecustomize.py → /etc, merged /usr), so the image
      // needs no links; the staged SDK comes from the temp dir, in the same archive.
      await tar(SERVICE, [
        '-c',
        '-h',
        '-f',
        archive,
        '-C',
        '/',
        ...hostFiles.map((file) => file.slice(1)),
        '-C',
        stage,
        sitePackages,
      ]);
      return [
        `ENTRYPOINT ["${python}", "-m", "hla_compass.runner"]`,
        'ENV PATH=/usr/bin:/bin',
        // The image's /app is the module's, as built: no __pycache__ written into it.
        'ENV PYTHONDONTWRITEBYTECODE=1',
        'ENV PYTHONUNBUFFERED=1',
      ];
    },
  });
}

/** Copies hla_compass into the stage where the image's Python finds it (Debian's dist-packages). */
async function stageSdk(python: string, stage: string): Promise<string> {
  const { stdout } = await run(python, [
    '-c',
    'import site, sys; print(next(p for p in site.getsitepackages() if p.endswith("dist-packages")))',
  ]);
  const sitePackages = stdout.trim().slice(1);
  const target = join(stage, sitePackages, 'hla_compass');
  await cp(SDK_DIR, target, {
    recursive: true,
    filter: (source) => !source.includes('__pycache__'),
  });
  return join(sitePackages, 'hla_compass');
}

/**
 * What the image holds from this machine: the Python binary, every file the runner and
 * EXTRA_MODULES load (measured by running them), all of `encodings` (codecs load lazily), /bin/sh,
 * and the shared libraries of the binaries.
 */
async function runtimeFiles(python: string): Promise<string[]> {
  const script = [
    'import sys, importlib',
    `for name in ${JSON.stringify([...EXTRA_MODULES, 'hla_compass', 'hla_compass.runner'])}:`,
    '    importlib.import_module(name)',
    'import encodings',
    'files = {getattr(m, "__file__", None) for m in list(sys.modules.values())}',
    'print("\\n".join(sorted(f for f in files if f)))',
    'print(encodings.__path__[0])',
  ].join('\n');
  const { stdout } = await run(python, ['-S', '-c', script], {
    env: { PATH: '/usr/bin:/bin', PYTHONPATH: dirname(SDK_DIR), PYTHONDONTWRITEBYTECODE: '1' },
  });
  const lines = stdout.trim().split('\n');
  const encodingsDir = lines.pop() ?? '';
  const loaded = lines.filter((file) => !file.startsWith(dirname(SDK_DIR)));
  const encodings = (await readdir(encodingsDir))
    .filter((name) => name.endsWith('.py'))
    .map((name) => join(encodingsDir, name));
  // site is left out above (-S) so that no .pth of this machine's site-packages is measured;
  // the image runs with it, as Python does by default.
  const { stdout: siteFiles } = await run(python, [
    '-c',
    'import sys; print("\\n".join(sorted(f for f in {getattr(m, "__file__", None) for m in sys.modules.values()} if f and "packages" not in f)))',
  ]);
  const binaries = [python, SHELL, ...loaded.filter((file) => file.endsWith('.so'))];
  const libraries = await sharedLibraries(binaries);
  return [
    ...new Set([
      ...binaries,
      ...loaded,
      ...siteFiles.trim().split('\n'),
      ...encodings,
      ...libraries,
    ]),
  ].sort();
}
