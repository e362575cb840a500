// What makes a `hla-compass test` run pass or fail: the container's end, the runtime's result
// shape of what it wrote, and results against manifest.json "outputs".
import { describe, expect, it } from 'vitest';
import { readRunOutput } from '../src/testing/run-output.js';
import { judgeRun, type RunFacts } from '../src/testing/test-verdict.js';

const OUTPUTS = {
  type: 'array',
  items: { type: 'object', required: ['peptide'], properties: { peptide: { type: 'string' } } },
};

const exited = (output: unknown, facts: Partial<RunFacts> = {}): RunFacts => ({
  exitCode: 0,
  timedOut: false,
  oomKilled: false,
  timeoutSeconds: 300,
  memoryMb: 512,
  outputText: output === undefined ? undefined : JSON.stringify(output),
  ...facts,
});

describe('readRunOutput', () => {
  it('reads the success and the error shape', () => {
    expect(readRunOutput({ status: 'success', results: [] })).toEqual({
      status: 'success',
      results: [],
    });
    expect(
      readRunOutput({
        status: 'error',
        error: { type: 'module_error', message: 'boom', details: {} },
      }),
    ).toEqual({ status: 'error', error: { type: 'module_error', message: 'boom' } });
  });

  it.each([
    [[1, 2], 'it is an array, not an object with "status"'],
    [null, 'it is null, not an object with "status"'],
    [{ results: [] }, 'it has no "status"'],
    [{ status: 'ok', results: [] }, '"status" is "ok", not "success" or "error"'],
    [{ status: 'success' }, '"status" is "success" but there are no "results"'],
    [
      { status: 'error', error: 'boom' },
      '"status" is "error" but "error" is not an object with type and message',
    ],
    [
      { status: 'error', error: { message: 'boom' } },
      '"error" needs a string "type" and a string "message"',
    ],
  ])('says what is wrong with %j', (document, problem) => {
    expect(readRunOutput(document)).toEqual({ status: 'malformed', problem });
  });
});

describe('judgeRun', () => {
  it('passes a success whose results fit "outputs"', () => {
    const output = { status: 'success', results: [{ peptide: 'SIINFEKL' }] };
    expect(judgeRun(exited(output), OUTPUTS)).toEqual({ passed: true, output, issues: [] });
  });

  it('fails results that do not fit "outputs", at their pointer in the output document', () => {
    const verdict = judgeRun(exited({ status: 'success', results: [{ peptide: 7 }] }), OUTPUTS);
    expect(verdict.passed).toBe(false);
    expect(verdict.issues).toEqual([
      {
        code: 'output.invalid_type',
        path: '/results/0/peptide',
        message: 'results[0].peptide must be a string, got 7',
      },
    ]);
  });

  it('fails a reported error with its type and message', () => {
    const verdict = judgeRun(
      exited({ status: 'error', error: { type: 'module_error', message: 'no peptides' } }),
      OUTPUTS,
    );
    expect(verdict).toMatchObject({
      passed: false,
      reportedError: { type: 'module_error', message: 'no peptides' },
      issues: [{ code: 'module.error', message: 'the module reported module_error: no peptides' }],
    });
  });

  it('fails a crash with its exit code, and keeps what the runner wrote', () => {
    const output = { status: 'error', error: { type: 'runtime_error', message: 'bad import' } };
    const verdict = judgeRun(exited(output, { exitCode: 3 }), OUTPUTS);
    expect(verdict.issues.map((issue) => issue.code)).toEqual(['module.crashed', 'module.error']);
    expect(verdict.issues[0]?.message).toBe("the module's container exited with code 3");
    expect(judgeRun(exited(undefined, { exitCode: 139 }), OUTPUTS).issues).toEqual([
      { code: 'module.crashed', path: '', message: "the module's container exited with code 139" },
    ]);
  });

  it('fails a run stopped at its timeout, or killed for its memory, saying which limit', () => {
    expect(
      judgeRun(exited(undefined, { exitCode: 137, timedOut: true, timeoutSeconds: 3 }), OUTPUTS)
        .issues,
    ).toEqual([
      {
        code: 'module.timeout',
        path: '',
        message:
          'the module ran longer than resources.timeout (3 s) and was stopped: make it faster, or raise resources.timeout (at most 900)',
      },
    ]);
    expect(
      judgeRun(exited(undefined, { exitCode: 137, oomKilled: true }), OUTPUTS).issues[0]?.message,
    ).toContain('ran out of memory (resources.memory: 512 MB)');
  });

  it('fails an exit 0 without output, with output that is not JSON, or not the result shape', () => {
    expect(judgeRun(exited(undefined), OUTPUTS).issues[0]?.code).toBe('output.missing');
    expect(judgeRun({ ...exited(undefined), outputText: '{nope' }, OUTPUTS).issues[0]?.code).toBe(
      'output.invalid_json',
    );
    const malformed = judgeRun(exited({ result: [] }), OUTPUTS);
    expect(malformed.issues[0]).toMatchObject({ code: 'output.malformed' });
    expect(malformed.output).toEqual({ result: [] });
  });

  it('checks nothing against "outputs" that is absent, or free-form as the SDK templates write it', () => {
    const output = { status: 'success', results: { anything: true } };
    expect(judgeRun(exited(output), undefined)).toEqual({ passed: true, output, issues: [] });
    expect(judgeRun(exited(output), { results: { description: 'free form' } })).toMatchObject({
      passed: true,
      unchecked: expect.stringContaining('not a JSON Schema'),
    });
  });
});
