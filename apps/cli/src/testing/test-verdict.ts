// Whether a test run passed: the container's end (exit status, timeout, memory), then what it
// wrote to HLA_COMPASS_OUTPUT (the runtime's result shape, `results` against manifest.outputs).
// Pure, over what the run left behind.
import { isJsonSchema, type PayloadIssue, validatePayload } from '@hla-compass/manifest';
import { readRunOutput } from './run-output.js';
import { CONTAINER_PATHS } from './runtime-contract.js';

/**
 * `module.*` (the run), `output.*` (what it wrote), and a payload's issue against `inputs` or
 * `outputs` as `input.<rule>`/`output.<rule>` (the manifest's `schema.<rule>`, see payloadIssues).
 */
export type TestIssueCode =
  | `module.${'timeout' | 'out_of_memory' | 'crashed' | 'error'}`
  | `output.${'missing' | 'invalid_json' | 'malformed'}`
  | `${'input' | 'output'}.${string}`;

export interface TestIssue {
  readonly code: TestIssueCode;
  /** A JSON pointer into the payload (`input.*`) or the output document (`output.*`); else ''. */
  readonly path: string;
  readonly message: string;
}

export interface RunFacts {
  readonly exitCode: number;
  readonly timedOut: boolean;
  readonly oomKilled: boolean;
  readonly timeoutSeconds: number;
  readonly memoryMb: number | undefined;
  /** The text of the output file, undefined when the module wrote none. */
  readonly outputText: string | undefined;
}

export interface Verdict {
  readonly passed: boolean;
  /** The output document as parsed, null when there is none (or it is not JSON). */
  readonly output: unknown;
  readonly issues: readonly TestIssue[];
  /** What the module reported as its error (`status: error`), for the report's headline. */
  readonly reportedError?: { readonly type: string; readonly message: string };
  /** Why `results` were not checked against `outputs`, when they were not (for a warning). */
  readonly unchecked?: string;
}

/** `schema.required` at `/peptides` → `input.required` at `/peptides`. */
export function payloadIssues(
  issues: readonly PayloadIssue[],
  area: 'input' | 'output',
  under = '',
): TestIssue[] {
  return issues.map((issue) => ({
    code: `${area}.${issue.code.replace(/^schema\./, '')}`,
    path: `${under}${issue.path}`,
    message: issue.message,
  }));
}

export function judgeRun(facts: RunFacts, outputs: unknown): Verdict {
  const issues: TestIssue[] = [];
  const issue = (code: TestIssueCode, message: string, path = '') =>
    issues.push({ code, path, message });
  if (facts.timedOut) {
    issue(
      'module.timeout',
      `the module ran longer than resources.timeout (${facts.timeoutSeconds} s) and was stopped: make it faster, or raise resources.timeout (at most 900)`,
    );
  } else if (facts.oomKilled) {
    issue(
      'module.out_of_memory',
      `the module ran out of memory${facts.memoryMb === undefined ? '' : ` (resources.memory: ${facts.memoryMb} MB)`} and was killed: use less, or raise resources.memory`,
    );
  } else if (facts.exitCode !== 0) {
    issue('module.crashed', `the module's container exited with code ${facts.exitCode}`);
  }

  if (facts.outputText === undefined) {
    if (issues.length === 0) {
      issue(
        'output.missing',
        `the module wrote no output to HLA_COMPASS_OUTPUT (${CONTAINER_PATHS.output}): the image's runner must write the result there`,
      );
    }
    return { passed: false, output: null, issues };
  }
  let output: unknown;
  try {
    output = JSON.parse(facts.outputText);
  } catch {
    issue('output.invalid_json', `${CONTAINER_PATHS.output} is not JSON`);
    return { passed: false, output: null, issues };
  }
  const read = readRunOutput(output);
  if (read.status === 'malformed') {
    issue(
      'output.malformed',
      `the output is not the runtime's result shape ({"status": "success", "results": …} or {"status": "error", "error": {"type", "message"}}): ${read.problem}`,
    );
    return { passed: false, output, issues };
  }
  if (read.status === 'error') {
    issue('module.error', `the module reported ${read.error.type}: ${read.error.message}`);
    const { type, message } = read.error;
    return { passed: false, output, issues, reportedError: { type, message } };
  }
  if (outputs === undefined || outputs === null)
    return { passed: issues.length === 0, output, issues };
  // The SDK's own templates write `outputs` free-form ({"results": {…}}): nothing to check against.
  if (!isJsonSchema(outputs)) {
    const unchecked = 'manifest.json "outputs" is not a JSON Schema, so results were not checked';
    return { passed: issues.length === 0, output, issues, unchecked };
  }
  const check = validatePayload(outputs, read.results, 'results');
  if (!check.checked) {
    const unchecked = `results were not checked: "outputs" uses what hla-compass cannot check (${check.reason})`;
    return { passed: issues.length === 0, output, issues, unchecked };
  }
  issues.push(...payloadIssues(check.issues, 'output', '/results'));
  return { passed: issues.length === 0, output, issues };
}
