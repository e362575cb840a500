// How a manifest validation reads in a terminal: a headline, then one line per issue with its
// severity, JSON pointer, message and code. Shared by `validate`, `build` and `publish`.
import type { ManifestIssue } from '@hla-compass/manifest';
import type { Style } from './terminal.js';

export function describeValidation(
  path: string,
  result: { valid: boolean; issues: readonly ManifestIssue[] },
  strict: boolean,
  style: Style,
): string[] {
  const errors = result.issues.filter((issue) => issue.severity === 'error').length;
  const warnings = result.issues.length - errors;
  const mode = strict ? ' (strict)' : '';
  const headline = result.valid
    ? `${style.green('✓')} ${path} is valid${mode}${warnings > 0 ? `, ${count(warnings, 'warning')}` : ''}`
    : `${style.red('✗')} ${path} is invalid${mode}: ${count(errors, 'error')}${warnings > 0 ? `, ${count(warnings, 'warning')}` : ''}`;
  return [
    headline,
    ...result.issues.map((issue) => {
      const severity = issue.severity === 'error' ? style.red('error  ') : style.yellow('warning');
      const where = issue.path === '' ? '' : `${issue.path}: `;
      return `  ${severity} ${where}${issue.message} ${style.dim(`[${issue.code}]`)}`;
    }),
  ];
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
