// Stack traces under --verbose point into the sources: each frame in the bundle is mapped through
// the source map dist ships beside it (the sources are embedded in the maps), to its place in
// the CLI's repository, e.g. `src/commands/keys/init.ts:33:5`. Node's own --enable-source-maps
// maps only modules loaded after it is on, and costs every run; this costs only the error.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { basename, dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `file:///…/chunk.js:2:412` or `/…/chunk.js:2:412` in a stack frame. */
const LOCATION = /((?:file:\/\/)?\/[^\s()]+\.js):(\d+):(\d+)/;

interface LoadedMap {
  readonly map: SourceMap;
  /** The package directory, the parent of `dist`: source paths are shown relative to it. */
  readonly root: string;
}

export function mapStackTrace(stack: string): string {
  const maps = new Map<string, LoadedMap | undefined>();
  const load = (file: string) => {
    if (!maps.has(file)) maps.set(file, loadMap(file));
    return maps.get(file);
  };
  return stack
    .split('\n')
    .map((line) => {
      const match = LOCATION.exec(line);
      if (match === null) return line;
      const [location = '', file = '', lineText = '', columnText = ''] = match;
      const path = file.startsWith('file://') ? fileURLToPath(file) : file;
      const loaded = load(path);
      if (loaded === undefined) return line;
      const entry = loaded.map.findEntry(Number(lineText) - 1, Number(columnText) - 1) as {
        originalSource?: string;
        originalLine?: number;
        originalColumn?: number;
      };
      if (entry.originalSource === undefined || entry.originalLine === undefined) return line;
      const source = displayPath(resolve(dirname(path), entry.originalSource), loaded.root);
      const position = `${source}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
      return line.replace(location, position);
    })
    .join('\n');
}

function loadMap(file: string): LoadedMap | undefined {
  try {
    const map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    return { map, root: packageRoot(dirname(file)) };
  } catch {
    // No map beside it (node's own code, a run from the sources): the frame stays as it is.
    return undefined;
  }
}

function packageRoot(directory: string): string {
  for (let current = directory; current !== dirname(current); current = dirname(current)) {
    if (basename(current) === 'dist') return dirname(current);
  }
  return directory;
}

/**
 * The CLI's own sources as `src/…`; the workspace packages and dependencies bundled with it as
 * `packages/…` and `node_modules/<name>/…`, wherever the build found them.
 */
function displayPath(source: string, root: string): string {
  return relative(root, source)
    .replace(/^(\.\.\/)+/, '')
    .replace(/^node_modules\/\.pnpm\/[^/]+\/node_modules\//, 'node_modules/');
}
