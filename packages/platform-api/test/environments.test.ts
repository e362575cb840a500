import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS, isEnvironment } from '../src/environments.js';
import { environmentSchema } from '../src/index.js';

describe('environments', () => {
  it('lists the four platform environments in order', () => {
    expect(ENVIRONMENTS).toEqual(['local', 'dev', 'staging', 'prod']);
  });

  it('is the list the schema accepts', () => {
    expect(environmentSchema.options).toEqual([...ENVIRONMENTS]);
    expect(isEnvironment('staging')).toBe(true);
    expect(isEnvironment('production')).toBe(false);
  });
});
