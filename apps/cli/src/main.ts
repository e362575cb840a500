#!/usr/bin/env node
// The `hla-compass` executable: hands the process's arguments, streams and environment to the
// framework and exits with the code it returns.
import nodeModule from 'node:module';
import { homedir } from 'node:os';
import type { System } from './context.js';

// Node ≥ 22.1 can keep the compiled code of the command chunks between runs (in its own cache
// dir under the temp dir): compiling them is most of what a Docker command costs before it works.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

declare const __HLA_COMPASS_VERSION__: string;

const argv = process.argv.slice(2);
// `hla-compass --version` alone prints a constant: loading the command framework for it was two
// thirds of its run. It touches stdout only: process.stderr and process.stdin are made when first
// read, a stream each (for a pipe, a socket and what it loads), which was 7–9 ms of a 42 ms
// `--version` on Node 24; stdin is read only by the commands that take a secret from it.
const versionOnly = argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V');
const streams = versionOnly ? [process.stdout] : [process.stdout, process.stderr];

// A closed pipe (`hla-compass modules list | head`) is not an error worth a stack trace.
for (const stream of streams) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const exitCode = versionOnly ? printVersion() : await runCommand();

// The command is done, but the HTTP client's idle keep-alive connections would hold the process
// open for another ~100 ms: flush what was written, then leave.
await Promise.all(
  streams.map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve()))),
);
process.exit(exitCode);

/**
 * A rebuild or re-push of an unchanged module is answered before the framework loads (see
 * fast-path.ts); everything else, and anything the fast path is unsure of, runs in full.
 */
async function runCommand(): Promise<number> {
  const system: System = {
    cwd: process.cwd(),
    homeDir: homedir(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    get stdin() {
      return process.stdin;
    },
  };
  const fast =
    argv[0] === 'build' || argv[0] === 'push'
      ? await import('./fast-path.js').then((module) => module.fastPath(argv, system))
      : undefined;
  // zod-jitless.js first: zod reads the setting when a schema is built, and program.js's static
  // imports are evaluated before any code of its own runs.
  return (
    fast ??
    (await import('./zod-jitless.js')
      .then(() => import('./program.js'))
      .then((module) => module.run(argv, system)))
  );
}

/**
 * What commander's `--version` prints (version.ts's CLI_VERSION), without commander. The define is
 * read here directly: importing version.ts would put it in a chunk of its own that every command
 * then loads, and this file only ever runs bundled.
 */
function printVersion(): number {
  process.stdout.write(`${__HLA_COMPASS_VERSION__}\n`);
  return 0;
}
