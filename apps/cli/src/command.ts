// How a command is declared: arguments, typed options, examples and a handler that receives the
// parsed values and a context. The framework (program.ts) turns these into commander commands.
import type { CommandContext } from './context.js';
import type { ExitCode } from './errors.js';
import { UsageError } from './errors.js';

export interface OptionSpec<T> {
  /** Commander flags, e.g. `--template <name>` or `--no-cache`. */
  readonly flags: string;
  readonly description: string;
  readonly choices?: readonly string[];
  /** Shown in help; also what the handler receives when the option is absent. */
  readonly defaultValue?: string | number | boolean;
  /** Turns commander's raw value into the handler's typed value, or throws a UsageError. */
  convert(raw: unknown, flag: string): T;
}

export interface ArgumentSpec {
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  /** The only values commander accepts; completion offers them. */
  readonly choices?: readonly string[];
}

export interface Example {
  readonly command: string;
  readonly description: string;
}

type OptionSpecs = Readonly<Record<string, OptionSpec<unknown>>>;

export type OptionValues<O extends OptionSpecs> = {
  readonly [K in keyof O]: O[K] extends OptionSpec<infer T> ? T : never;
};

export type ArgumentValues<A extends readonly ArgumentSpec[]> = {
  readonly [S in A[number] as S['name']]: S extends { required: true }
    ? string
    : string | undefined;
};

export interface CommandInput<A extends readonly ArgumentSpec[], O extends OptionSpecs> {
  readonly args: ArgumentValues<A>;
  readonly options: OptionValues<O>;
}

export interface CommandDefinition<
  A extends readonly ArgumentSpec[] = readonly ArgumentSpec[],
  O extends OptionSpecs = OptionSpecs,
> {
  /** Shown under the usage line of `--help`; the one-line summary lives in the catalog. */
  readonly description: string;
  readonly arguments?: A;
  readonly options: O;
  readonly examples: readonly Example[];
  /** Returns an exit code when the outcome is not plain success (e.g. `validate` on an invalid manifest). */
  run(input: CommandInput<A, O>, context: CommandContext): Promise<ExitCode | undefined>;
}

export function defineCommand<const A extends readonly ArgumentSpec[], const O extends OptionSpecs>(
  definition: CommandDefinition<A, O>,
): CommandDefinition<A, O> {
  return definition;
}

/** The typed option kinds commands use; each converts and checks commander's raw value. */
export const option = {
  flag(flags: string, description: string): OptionSpec<boolean> {
    return { flags, description, convert: (raw) => raw === true };
  },

  /** `--no-<name>`: the handler receives `false` when it is given, `true` otherwise. */
  negatable(flags: string, description: string): OptionSpec<boolean> {
    return { flags, description, convert: (raw) => raw !== false };
  },

  string(flags: string, description: string): OptionSpec<string | undefined> {
    return {
      flags,
      description,
      convert: (raw, flag) => {
        if (raw === undefined) return undefined;
        if (typeof raw !== 'string' || raw.trim() === '') {
          throw new UsageError(`${flag} needs a non-empty value`);
        }
        return raw;
      },
    };
  },

  choice<const C extends readonly string[]>(
    flags: string,
    choices: C,
    description: string,
    defaultValue: C[number],
  ): OptionSpec<C[number]> {
    return {
      flags,
      description,
      choices,
      defaultValue,
      convert: (raw, flag) => {
        if (raw === undefined) return defaultValue;
        if (typeof raw === 'string' && choices.includes(raw)) return raw as C[number];
        throw new UsageError(`${flag} must be one of ${choices.join(', ')}, got "${String(raw)}"`);
      },
    };
  },

  integer(
    flags: string,
    description: string,
    bounds: { min: number; max?: number; defaultValue: number },
  ): OptionSpec<number> {
    return {
      flags,
      description,
      defaultValue: bounds.defaultValue,
      convert: (raw, flag) => {
        // Commander passes the default through as the number it was declared with.
        if (raw === undefined || raw === bounds.defaultValue) return bounds.defaultValue;
        const value = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
        const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
        if (!Number.isSafeInteger(value) || value < bounds.min || value > max) {
          const range = bounds.max === undefined ? `≥ ${bounds.min}` : `${bounds.min}–${max}`;
          throw new UsageError(`${flag} must be a whole number ${range}, got "${String(raw)}"`);
        }
        return value;
      },
    };
  },
};
