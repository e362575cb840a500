// `hla-compass validate`: checks manifest.json against the manifest v1 schema and the module's
// layout (backend/, frontend/ for with-ui, pinned requirements), one line per issue.
import { dirname, relative, resolve } from 'node:path';
import { validateModule } from '@hla-compass/manifest';
import { defineCommand, option } from '../command.js';
import { ExitCode } from '../errors.js';
import { describeValidation } from '../manifest-report.js';

export default defineCommand({
  description:
    'Checks manifest.json against the manifest v1 schema (the one the platform applies) and the ' +
    "module's layout: backend/ exists, with-ui modules have frontend/, and every line of " +
    'backend/requirements.txt is pinned with ==. Each issue has a code, a severity, a JSON pointer ' +
    'and a message. --strict turns warnings into errors and reports unknown fields. ' +
    'Exits 0 when the module is valid and 2 when it is not.',
  options: {
    manifest: option.string('--manifest <path>', 'manifest to check (default: ./manifest.json)'),
    strict: option.flag('--strict', 'treat warnings as errors and report unknown fields'),
  },
  examples: [
    { command: 'hla-compass validate', description: 'check the module in this directory' },
    { command: 'hla-compass validate --strict', description: 'what CI should run' },
    {
      command: 'hla-compass validate --manifest mods/x/manifest.json --json',
      description: 'machine-readable issues',
    },
  ],
  async run({ options }, context) {
    const manifestPath = resolve(context.cwd, options.manifest ?? 'manifest.json');
    const validation = await validateModule(dirname(manifestPath), {
      strict: options.strict,
      manifestPath,
    });
    const shownPath = relative(context.cwd, manifestPath) || manifestPath;
    context.output.result({ valid: validation.valid, issues: validation.issues }, (result) =>
      describeValidation(shownPath, result, options.strict, context.output.style),
    );
    return validation.valid ? undefined : ExitCode.invalidInput;
  },
});
