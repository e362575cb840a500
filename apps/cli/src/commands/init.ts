// `hla-compass init NAME`: scaffolds a module from a template (no-ui or with-ui) that passes
// `validate --strict` and builds as it is. Existing files are never overwritten.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { validateManifest } from '@hla-compass/manifest';
import manifestJsonSchema from '@hla-compass/manifest/manifest.schema.json' with { type: 'json' };
import { defineCommand, option } from '../command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';

const TEMPLATES = ['no-ui', 'with-ui'] as const;
type Template = (typeof TEMPLATES)[number];

/** `ui` is what the Python SDK's `init --template` calls with-ui, so its users' habit works. */
const TEMPLATE_CHOICES = [...TEMPLATES, 'ui'] as const;
const templateOf = (choice: (typeof TEMPLATE_CHOICES)[number]): Template =>
  choice === 'ui' ? 'with-ui' : choice;

/**
 * The manifest's JSON Schema, written beside manifest.json, whose "$schema" names it by a relative
 * path: editors validate the manifest offline, with no settings, wherever the module is cloned.
 */
const SCHEMA_FILE = 'manifest.schema.json';

/** Template files whose names npm would drop or hide when the CLI is published. */
const RENAMED_FILES: Readonly<Record<string, string>> = {
  gitignore: '.gitignore',
  dockerignore: '.dockerignore',
};

export default defineCommand({
  description:
    'Creates the directory NAME with a module that validates (also with --strict) and builds: ' +
    'manifest.json, manifest.schema.json (the JSON Schema its "$schema" names, so editors check ' +
    'it offline), backend/main.py, backend/requirements.txt, examples/, .dockerignore and, for ' +
    'the with-ui template, frontend/. The author comes from config.json "author", else git config. ' +
    'An existing non-empty directory is refused unless --yes is given; existing files are kept.',
  arguments: [
    {
      name: 'name',
      description: 'module name: lowercase letters, digits and hyphens, 3–50 characters',
      required: true,
    },
  ],
  options: {
    template: option.choice(
      '--template <template>',
      TEMPLATE_CHOICES,
      "no-ui (backend only) or with-ui (backend and frontend; ui, the Python SDK's name, is the same)",
      'no-ui',
    ),
    yes: option.flag('--yes', 'write into an existing directory (files already there are kept)'),
  },
  examples: [
    { command: 'hla-compass init peptide-scorer', description: 'a backend-only module' },
    {
      command: 'hla-compass init peptide-viewer --template with-ui',
      description: 'a module with a UI',
    },
    {
      command: 'hla-compass init peptide-viewer --template ui',
      description: "the same, as the Python SDK's init spells it",
    },
  ],
  async run({ args, options }, context) {
    const template = templateOf(options.template);
    const manifest = await renderManifest(args.name, template, context);
    const directory = resolve(context.cwd, args.name);
    if (!options.yes && (await isNonEmptyDirectory(directory))) {
      throw new UsageError(`directory ${args.name} already exists and is not empty`, {
        hint: 'pick another name, or pass --yes to add the missing template files to it',
      });
    }

    const templateDir = join(templatesRoot(), template);
    const created: string[] = [];
    const kept: string[] = [];
    for (const file of [...(await listFiles(templateDir)), SCHEMA_FILE]) {
      const target = RENAMED_FILES[file] ?? file;
      const content =
        target === 'manifest.json'
          ? `${JSON.stringify(manifest, null, 2)}\n`
          : target === SCHEMA_FILE
            ? `${JSON.stringify(manifestJsonSchema, null, 2)}\n`
            : (await readFile(join(templateDir, file), 'utf8')).replaceAll('{{name}}', args.name);
      const destination = join(directory, target);
      await mkdir(dirname(destination), { recursive: true });
      try {
        await writeFile(destination, content, { flag: 'wx' });
        created.push(target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        kept.push(target);
      }
    }

    const shown = relative(context.cwd, directory) || '.';
    context.output.result({ name: args.name, template, directory, created, kept }, (result) => [
      `${context.output.style.green('✓')} Created module ${result.name} (${result.template}) in ${shown}`,
      ...result.created.map((file) => `  + ${file}`),
      ...result.kept.map((file) => `  = ${file} (already there, kept)`),
      '',
      'Next steps:',
      `  cd ${shown}`,
      '  hla-compass validate --strict',
      '  hla-compass test                # build and run it locally, as the platform will',
      '  hla-compass build --registry <registry>/<namespace>',
    ]);
    return undefined;
  },
});

async function renderManifest(
  name: string,
  template: Template,
  context: CommandContext,
): Promise<Record<string, unknown>> {
  const text = await readFile(join(templatesRoot(), template, 'manifest.json'), 'utf8');
  const manifest = JSON.parse(text) as Record<string, unknown>;
  manifest.name = name;
  manifest.author = await authorOf(context);
  // The template is known-good, so a name error is the only issue a user can cause here.
  const nameIssue = validateManifest(manifest).issues.find((issue) => issue.path === '/name');
  if (nameIssue) {
    throw new UsageError(`invalid module name: ${nameIssue.message}`, {
      hint: 'use lowercase letters, digits and hyphens, 3–50 characters, e.g. peptide-scorer',
    });
  }
  return manifest;
}

async function authorOf(context: CommandContext): Promise<{ name: string; email: string }> {
  const configured = (await context.config()).author;
  return {
    name: configured?.name ?? (await gitConfig('user.name', context.cwd)) ?? 'Your Name',
    email: configured?.email ?? (await gitConfig('user.email', context.cwd)) ?? 'you@example.com',
  };
}

async function gitConfig(key: string, cwd: string): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)('git', ['config', '--get', key], {
      cwd,
      timeout: 2000,
    });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The templates directory: `dist/templates` in the bundle, `templates/` beside `src/` in a checkout. */
function templatesRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 4; depth++) {
    const candidate = join(dir, 'templates');
    if (existsSync(join(candidate, 'no-ui', 'manifest.json'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('the module templates are missing from this installation of hla-compass');
}

async function isNonEmptyDirectory(path: string): Promise<boolean> {
  try {
    return (await readdir(path)).length > 0;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    if (code === 'ENOTDIR') {
      throw new UsageError(`${path} exists and is not a directory`);
    }
    throw error;
  }
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}
