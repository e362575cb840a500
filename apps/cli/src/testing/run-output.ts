// What a module's run wrote to HLA_COMPASS_OUTPUT, read as the platform's runtime reads it
// (python-sdk.md §6.3): `{status: "success", results, …}` or `{status: "error", error: {type,
// message, …}}`. Anything else is a module the platform could not use. Pure.

export interface ReportedError {
  readonly type: string;
  readonly message: string;
  /** The SDK's runner adds one when the module crashed (`runtime_error`). */
  readonly traceback?: string;
}

export type RunOutput =
  | { readonly status: 'success'; readonly results: unknown }
  | { readonly status: 'error'; readonly error: ReportedError }
  /** Not the runtime's result shape; `problem` says what is wrong, in one line. */
  | { readonly status: 'malformed'; readonly problem: string };

export function readRunOutput(document: unknown): RunOutput {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return malformed(`it is ${describe(document)}, not an object with "status"`);
  }
  const output = document as Record<string, unknown>;
  if (output.status === 'success') {
    return Object.hasOwn(output, 'results')
      ? { status: 'success', results: output.results }
      : malformed('"status" is "success" but there are no "results"');
  }
  if (output.status === 'error') {
    const error = output.error;
    if (typeof error !== 'object' || error === null || Array.isArray(error)) {
      return malformed('"status" is "error" but "error" is not an object with type and message');
    }
    const { type, message, traceback } = error as Record<string, unknown>;
    if (typeof type !== 'string' || typeof message !== 'string') {
      return malformed('"error" needs a string "type" and a string "message"');
    }
    return {
      status: 'error',
      error: { type, message, ...(typeof traceback === 'string' ? { traceback } : {}) },
    };
  }
  return malformed(
    output.status === undefined
      ? 'it has no "status"'
      : `"status" is ${JSON.stringify(output.status)}, not "success" or "error"`,
  );
}

function malformed(problem: string): RunOutput {
  return { status: 'malformed', problem };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
