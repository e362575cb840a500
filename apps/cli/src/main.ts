#!/usr/bin/env node
// The `hla-compass` executable: hands the process's arguments, streams and environment to the
// framework and exits with the code it returns.
import nodeModule from 'node:module';
import { homedir } from 'node:os';

// Node ≥ 22.1 can keep the compiled code of the command chunks between runs (in its own cache
// dir under the temp dir): compiling them is most of what a Docker command costs before it works.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// A closed pipe (`hla-compass modules list | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

declare const __HLA_COMPASS_VERSION__: string;

const argv = process.argv.slice(2);
const system = {
  cwd: process.cwd(),
  homeDir: homedir(),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
};
// `hla-compass --version` alone prints a constant: loading the command framework for it was two
// thirds of its run. A rebuild or re-push of an unchanged module is answered before the framework
// loads (see fast-path.ts); everything else, and anything the fast path is unsure of, runs in full.
const fast =
  argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')
    ? printVersion()
    : argv[0] === 'build' || argv[0] === 'push'
      ? await import('./fast-path.js').then((module) => module.fastPath(argv, system))
      : undefined;
// zod-jitless.js first: zod reads the setting when a schema is built, and program.js's static
// imports are evaluated before any code of its own runs.
const exitCode =
  fast ??
  (await import('./zod-jitless.js')
    .then(() => import('./program.js'))
    .then((module) => module.run(argv, system)));

// The command is done, but the HTTP client's idle keep-alive connections would hold the process
// open for another ~100 ms: flush what was written, then leave.
await Promise.all(
  [process.stdout, process.stderr].map(
    (stream) => new Promise<void>((resolve) => stream.write('', () => resolve())),
  ),
);
process.exit(exitCode);

/**
 * What commander's `--version` prints (version.ts's CLI_VERSION), without commander. The define is
 * read here directly: importing version.ts would put it in a chunk of its own that every command
 * then loads, and this file only ever runs bundled.
 */
function printVersion(): number {
  process.stdout.write(`${__HLA_COMPASS_VERSION__}\n`);
  return 0;
}
