// What `hla-compass test --watch` waits for between runs: a change under backend/ or to
// manifest.json, reported once the edits have settled (editors write a file in several steps).
import { type FSWatcher, watch } from 'node:fs';
import { join } from 'node:path';

export interface ModuleWatch {
  /** The paths changed since the last call, once quiet for the debounce; undefined once aborted. */
  next(): Promise<readonly string[] | undefined>;
  close(): void;
}

const DEBOUNCE_MS = 300;

/** Not the module's sources: bytecode, editor swap and backup files. */
export function isNoise(path: string): boolean {
  const name = path.split('/').at(-1) ?? '';
  return (
    path.split('/').includes('__pycache__') ||
    /\.py[co]$/.test(name) ||
    /(^\.#|~$|\.sw[px]$)/.test(name)
  );
}

export function watchModule(
  dir: string,
  signal: AbortSignal,
  debounceMs: number = DEBOUNCE_MS,
): ModuleWatch {
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let waiting: ((paths: readonly string[] | undefined) => void) | undefined;
  let settled = false;

  const deliver = () => {
    if (waiting === undefined || !settled || changed.size === 0) return;
    const paths = [...changed].sort();
    changed.clear();
    settled = false;
    const resolve = waiting;
    waiting = undefined;
    resolve(paths);
  };
  const record = (path: string) => {
    if (isNoise(path)) return;
    changed.add(path);
    settled = false;
    clearTimeout(timer);
    timer = setTimeout(() => {
      settled = true;
      deliver();
    }, debounceMs);
  };

  const watchers: FSWatcher[] = [
    // The module directory itself, for manifest.json: editors often replace the file (a new
    // inode), which a watch on the file alone would stop seeing.
    watch(dir, (_, name) => {
      if (name === 'manifest.json') record('manifest.json');
    }),
    watch(join(dir, 'backend'), { recursive: true }, (_, name) => {
      record(
        `backend/${String(name ?? '')
          .split('\\')
          .join('/')}`,
      );
    }),
  ];
  const close = () => {
    clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
    waiting?.(undefined);
    waiting = undefined;
  };
  signal.addEventListener('abort', close, { once: true });

  return {
    next() {
      if (signal.aborted) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        waiting = resolve;
        deliver();
      });
    },
    close,
  };
}
