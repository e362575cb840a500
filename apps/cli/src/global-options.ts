// The options every command takes (SPEC §8), in one table: program.ts declares them to commander
// and `hla-compass completion` offers them, so the two never disagree.
import { ENVIRONMENT_NAMES } from './config/environments.js';

export interface GlobalOptionSpec {
  /** Commander flags, e.g. `--env <name>`. */
  readonly flags: string;
  readonly description: string;
  /** The values completion offers for the option's value. */
  readonly values?: readonly string[];
}

export const globalOptions: readonly GlobalOptionSpec[] = [
  {
    flags: '--env <name>',
    description: 'platform environment: local, dev, staging or prod',
    values: ENVIRONMENT_NAMES,
  },
  { flags: '--api-url <url>', description: 'API base URL (beats HLA_API_ENDPOINT and config)' },
  { flags: '--console-url <url>', description: 'console (login page) URL for `auth login`' },
  { flags: '--json', description: 'print the result as one JSON document on stdout' },
  {
    flags: '--verbose',
    description: 'debug logs, each request to the platform and stack traces, on stderr',
  },
];

/** Whether an option's flags declare a value (`--env <name>`, `--tag [ref]`). */
export function takesValue(flags: string): boolean {
  return /[<[]/.test(flags);
}

/** The long name of an option's flags: `--env` of `--env <name>`, `--no-cache` of `--no-cache`. */
export function longFlag(flags: string): string | undefined {
  return /(?:^|[\s,])(--[a-z0-9][a-z0-9-]*)/i.exec(flags)?.[1];
}
