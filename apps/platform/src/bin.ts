#!/usr/bin/env node
// Entry point of the `hla-compass-platform` bin.
import { main } from './cli.js';

const code = await main(process.argv.slice(2));
// -1: a server is running and stops on a signal.
if (code >= 0) process.exitCode = code;
