// Every command: its path, its one-line summary and how to load it. Only the command being run is
// loaded, so `--version` and `--help` never pay for zod, noble or dockerode.
import type { CommandDefinition, Example } from '../command.js';

export interface CatalogEntry {
  readonly path: readonly string[];
  readonly summary: string;
  load(): Promise<CommandDefinition>;
}

export interface CommandGroup {
  readonly summary: string;
  /** Shown by `hla-compass <group> --help`, like a command's own examples. */
  readonly examples: readonly Example[];
}

/** Command groups (`hla-compass keys …`): their summaries and examples. */
export const groups: Readonly<Record<string, CommandGroup>> = {
  modules: {
    summary: 'Browse the modules of a platform environment',
    examples: [
      { command: 'hla-compass modules list --env dev', description: 'the modules you may see' },
      {
        command: 'hla-compass modules show peptide-scorer --env dev',
        description: 'a module, its versions and their digests',
      },
      {
        command: "hla-compass modules list --env prod --json | jq -r '.modules[].moduleName'",
        description: 'just the names',
      },
    ],
  },
  auth: {
    summary: 'Log in to a platform environment and check who you are',
    examples: [
      { command: 'hla-compass auth login --env dev', description: 'sign in with the browser' },
      {
        command: 'printf %s "$HLA_KEY" | hla-compass auth login --env prod --api-key-stdin',
        description: 'sign in a CI job with an API key',
      },
      { command: 'hla-compass auth status --env dev', description: 'who am I, and until when' },
      { command: 'hla-compass auth logout --all', description: 'end every stored session' },
    ],
  },
  keys: {
    summary: 'Manage the Ed25519 key pair that signs your publishes',
    examples: [
      { command: 'hla-compass keys init', description: 'create the key pair once per machine' },
      {
        command: 'hla-compass keys register --env dev',
        description: 'let dev accept what this machine signs',
      },
      { command: 'hla-compass keys list --env dev', description: 'the keys registered to you' },
      {
        command: 'hla-compass keys show --json | jq -r .fingerprint',
        description: "this machine's key fingerprint",
      },
    ],
  },
  registries: {
    summary: "Manage your org's registry allowlist (org admins)",
    examples: [
      { command: 'hla-compass registries list --env dev', description: "your org's allowlist" },
      {
        command: "hla-compass registries add 'ghcr.io/your-org/*' --env dev",
        description: 'let developers publish from ghcr.io/your-org',
      },
      {
        command:
          'printf %s "$TOKEN" | hla-compass registries add \'ghcr.io/your-org/*\' --env prod --username ci-bot --password-stdin',
        description: 'with pull credentials, read from stdin and never shown',
      },
      {
        command: "hla-compass registries remove 'ghcr.io/your-org/*' --env dev",
        description: 'take a pattern off the allowlist',
      },
    ],
  },
  approvals: {
    summary: 'Review public modules waiting for approval (platform superusers)',
    examples: [
      { command: 'hla-compass approvals list --env dev', description: 'the queue, oldest first' },
      {
        command: 'hla-compass approvals approve pub_8d0c2f71a3b94e5d6c7a --env dev',
        description: 'make a version public to every org',
      },
      {
        command:
          "hla-compass approvals reject pub_8d0c2f71a3b94e5d6c7a --env dev --reason 'pin the requirements'",
        description: 'turn it down, saying why',
      },
    ],
  },
  env: {
    summary: 'Show the platform environments and their URLs',
    examples: [
      { command: 'hla-compass env list', description: 'the environments and the selected one' },
      {
        command: 'hla-compass env list --env local --api-url http://127.0.0.1:4100/local',
        description: 'check where an override points',
      },
    ],
  },
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
    path: ['build'],
    summary: 'Build the module into a Docker image',
    load: () => import('./build.js').then((module) => module.default),
  },
  {
    path: ['test'],
    summary:
      "Build the module's image and run it locally as the platform does (--watch: on every change)",
    load: () => import('./test.js').then((module) => module.default),
  },
  {
    path: ['push'],
    summary: 'Push the image to its registry and record its digest',
    load: () => import('./push.js').then((module) => module.default),
  },
  {
    path: ['publish'],
    summary: 'Sign and register the module version with an environment',
    load: () => import('./publish.js').then((module) => module.default),
  },
  {
    path: ['publish-status'],
    summary: 'Show (or --watch) the state of a publish',
    load: () => import('./publish-status.js').then((module) => module.default),
  },
  {
    path: ['modules', 'list'],
    summary: 'List the modules you may see',
    load: () => import('./modules/list.js').then((module) => module.default),
  },
  {
    path: ['modules', 'show'],
    summary: 'Show a module and its versions',
    load: () => import('./modules/show.js').then((module) => module.default),
  },
  {
    path: ['auth', 'login'],
    summary: 'Log in to an environment (browser, password or API key)',
    load: () => import('./auth/login.js').then((module) => module.default),
  },
  {
    path: ['auth', 'logout'],
    summary: 'Forget the stored credentials of an environment',
    load: () => import('./auth/logout.js').then((module) => module.default),
  },
  {
    path: ['auth', 'status'],
    summary: 'Show who you are logged in as',
    load: () => import('./auth/status.js').then((module) => module.default),
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
    path: ['keys', 'register'],
    summary: 'Register the public key with an environment',
    load: () => import('./keys/register.js').then((module) => module.default),
  },
  {
    path: ['keys', 'list'],
    summary: 'List the keys registered to you in an environment',
    load: () => import('./keys/list.js').then((module) => module.default),
  },
  {
    path: ['keys', 'revoke'],
    summary: 'Revoke a registered key',
    load: () => import('./keys/revoke.js').then((module) => module.default),
  },
  {
    path: ['registries', 'list'],
    summary: "List your org's registry allowlist",
    load: () => import('./registries/list.js').then((module) => module.default),
  },
  {
    path: ['registries', 'add'],
    summary: 'Add a pattern to the allowlist, optionally with pull credentials',
    load: () => import('./registries/add.js').then((module) => module.default),
  },
  {
    path: ['registries', 'remove'],
    summary: 'Remove an allowlist entry by id or pattern',
    load: () => import('./registries/remove.js').then((module) => module.default),
  },
  {
    path: ['approvals', 'list'],
    summary: 'List the publishes waiting for approval',
    load: () => import('./approvals/list.js').then((module) => module.default),
  },
  {
    path: ['approvals', 'approve'],
    summary: 'Approve a public version',
    load: () => import('./approvals/approve.js').then((module) => module.default),
  },
  {
    path: ['approvals', 'reject'],
    summary: 'Reject a public version with a reason',
    load: () => import('./approvals/reject.js').then((module) => module.default),
  },
  {
    path: ['completion'],
    summary: 'Print the shell completion script for bash, zsh or fish',
    load: () => import('./completion.js').then((module) => module.default),
  },
  {
    path: ['env', 'list'],
    summary: 'List the environments, their URLs and which one is selected',
    load: () => import('./env/list.js').then((module) => module.default),
  },
];
