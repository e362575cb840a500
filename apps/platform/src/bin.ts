#!/usr/bin/env node
// Entry point of the `hla-compass-platform` bin. It switches on what has to be on before the
// emulator's code loads, then loads that code: dist/cli.js, one bundle (see build.mjs).
import nodeModule from 'node:module';

// Node ≥ 22.1 keeps the bundle's compiled code between runs (in its cache dir under the temp
// dir) instead of compiling it again at every start.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { main } = await import('./cli.js');

const code = await main(process.argv.slice(2));
// -1: a server is running and stops on a signal.
if (code >= 0) process.exitCode = code;
