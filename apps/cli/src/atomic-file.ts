// A file replaced whole or not at all: written to a temp file beside it, then renamed over it, so
// a reader (or a crash) never sees half of it. The temp name needs no node:crypto, which the fast
// path does not load: pid, time and a counter are unique enough for files of one checkout.
import { rename, rm, writeFile } from 'node:fs/promises';

let written = 0;

export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}-${Date.now()}-${++written}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, path);
  } finally {
    await rm(temporary, { force: true });
  }
}
