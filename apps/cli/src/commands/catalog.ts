// Every command: its path, its one-line summary and how to load it. Only the command being run is
// loaded, so `--version` and `--help` never pay for zod, noble or dockerode.
import type { CommandDefinition } from '../command.js';

export interface CatalogEntry {
  readonly path: readonly string[];
  readonly summary: string;
  load(): Promise<CommandDefinition>;
}

/** Command groups (`hla-compass keys …`) and their summaries. */
export const groups: Readonly<Record<string, string>> = {
  keys: 'Manage the Ed25519 key pair that signs your publishes',
  env: 'Show the platform environments and their URLs',
};

export const catalog: readonly CatalogEntry[] = [
  {
    path: ['init'],
    summary: 'Create a new module from a template',
    load: () => import('./init.js').then((module) => module.default),
  },
  {
    path: ['validate'],
    summary: 'Check manifest.json and the module layout',
    load: () => import('./validate.js').then((module) => module.default),
  },
  {
    path: ['keys', 'init'],
    summary: 'Generate the Ed25519 signing key pair',
    load: () => import('./keys/init.js').then((module) => module.default),
  },
  {
    path: ['keys', 'show'],
    summary: 'Show the public key and its fingerprint',
    load: () => import('./keys/show.js').then((module) => module.default),
  },
  {
    path: ['env', 'list'],
    summary: 'List the environments, their URLs and which one is selected',
    load: () => import('./env/list.js').then((module) => module.default),
  },
];
