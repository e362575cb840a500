// `hla-compass validate`: checks manifest.json against the manifest v1 schema and the module's
// layout (backend/, the entrypoint's file and class, frontend/ for with-ui, pinned requirements),
// one line per issue.
import { dirname, relative, resolve } from 'node:path';
import { validateModule } from '@hla-compass/manifest';
import { defineCommand, type OptionSpec, option } from '../command.js';
import { ExitCode, UsageError } from '../errors.js';
import { describeValidation } from '../manifest-report.js';

const FORMATS = ['text', 'json'] as const;
type Format = (typeof FORMATS)[number];

// The Python SDK's spelling of --json. No default, so that `--format text --json` can be told
// apart from a plain `--json` and refused as the contradiction it is.
const formatOption: OptionSpec<Format | undefined> = {
  flags: '--format <format>',
  description: 'text, or json (the same document as --json; the Python SDK spells it this way)',
  choices: FORMATS,
  convert: (raw, flag) => {
    if (raw === undefined) return undefined;
    if (raw === 'text' || raw === 'json') return raw;
    throw new UsageError(`${flag} must be one of ${FORMATS.join(', ')}, got "${String(raw)}"`);
  },
};

export default defineCommand({
  description:
    'Checks manifest.json against the manifest v1 schema (the one the platform applies) and the ' +
    "module's layout: backend/ exists, execution.entrypoint names a file of the module " +
    '(backend.main:Module is backend/main.py; an error when it is missing) that defines the class ' +
    '(a static check of the text for a top-level class, assignment or import of that name; a ' +
    'warning), with-ui modules have frontend/, and every line of backend/requirements.txt is ' +
    'pinned with ==. Each issue has a code, a severity, a JSON pointer ' +
    'and a message. --strict turns warnings into errors and reports unknown fields. ' +
    "Exits 0 when the module is valid and 2 when it is not. --format json (the Python SDK's " +
    'spelling) prints the same document as --json.',
  options: {
    manifest: option.string('--manifest <path>', 'manifest to check (default: ./manifest.json)'),
    strict: option.flag('--strict', 'treat warnings as errors and report unknown fields'),
    format: formatOption,
  },
  examples: [
    { command: 'hla-compass validate', description: 'check the module in this directory' },
    { command: 'hla-compass validate --strict', description: 'what CI should run' },
    {
      command: 'hla-compass validate --manifest mods/x/manifest.json --json',
      description: 'machine-readable issues',
    },
    {
      command: 'hla-compass validate --strict --format json',
      description: "the same JSON, as the Python SDK's validate spells it",
    },
  ],
  async run({ options }, context) {
    if (options.format === 'text' && context.output.json) {
      throw new UsageError('--format text and --json ask for different outputs', {
        hint: 'pass one of them (--format json is the same as --json)',
      });
    }
    const manifestPath = resolve(context.cwd, options.manifest ?? 'manifest.json');
    const validation = await validateModule(dirname(manifestPath), {
      strict: options.strict,
      manifestPath,
    });
    const shownPath = relative(context.cwd, manifestPath) || manifestPath;
    // Rendered as --json renders it, byte for byte, so the two spellings cannot drift apart.
    context.output.result({ valid: validation.valid, issues: validation.issues }, (result) =>
      options.format === 'json'
        ? JSON.stringify(result, null, 2)
        : describeValidation(shownPath, result, options.strict, context.output.style),
    );
    return validation.valid ? undefined : ExitCode.invalidInput;
  },
});
