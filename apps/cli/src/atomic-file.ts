// A file replaced whole or not at all: written to a temp file beside it, then renamed over it, so
// a reader (or a crash) never sees half of it. The temp name needs no node:crypto, which the fast
// path does not load: pid, time and a counter are unique enough for files of one checkout. The
// calls are node:fs's synchronous ones for the same reason: node:fs/promises loads readline and the
// fs watchers on Node 24 (~1.6 ms of a 50 ms no-op push), and these files are a few hundred bytes.
import { renameSync, rmSync, writeFileSync } from 'node:fs';

let written = 0;

export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}-${Date.now()}-${++written}.tmp`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } finally {
    rmSync(temporary, { force: true });
  }
}
