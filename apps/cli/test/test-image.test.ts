// How `hla-compass test` runs the build command: as the framework does, each option converted from
// its raw value, absent ones at their defaults.
import { expect, it } from 'vitest';
import { defineCommand, option } from '../src/command.js';
import type { CommandContext } from '../src/context.js';
import { UsageError } from '../src/errors.js';
import { invokeCommand } from '../src/testing/test-image.js';

it('converts each option as the framework does and gives the ones not passed their defaults', async () => {
  let received: unknown;
  const definition = defineCommand({
    description: 'a build-like command',
    options: {
      tag: option.string('--tag <ref>', 'tag'),
      platform: {
        ...option.string('--platform <os/arch>', 'platform'),
        defaultValue: 'linux/amd64',
      },
      cache: option.negatable('--no-cache', 'cache'),
      push: option.flag('--push', 'push'),
      retries: option.integer('--retries <n>', 'retries', { min: 0, defaultValue: 3 }),
    },
    examples: [],
    async run({ options }) {
      received = options;
      return undefined;
    },
  });
  await invokeCommand(definition, { tag: 'localhost/x:1', cache: false }, {} as CommandContext);
  expect(received).toEqual({
    tag: 'localhost/x:1',
    platform: 'linux/amd64',
    cache: false,
    push: false,
    retries: 3,
  });
  await expect(invokeCommand(definition, { tag: ' ' }, {} as CommandContext)).rejects.toThrow(
    UsageError,
  );
});
