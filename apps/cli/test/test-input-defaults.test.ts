// The payload `hla-compass test` runs with when no --input is given: the defaults of "inputs".
import { describe, expect, it } from 'vitest';
import { inputDefaults } from '../src/testing/input-defaults.js';

describe('inputDefaults', () => {
  it('takes each property default, and leaves out properties without one', () => {
    expect(
      inputDefaults({
        type: 'object',
        required: ['peptides'],
        properties: {
          peptides: { type: 'array', default: ['SIINFEKL'] },
          minLength: { type: 'integer', default: 8 },
          allele: { type: 'string' },
        },
      }),
    ).toEqual({ peptides: ['SIINFEKL'], minLength: 8 });
  });

  it('fills nested objects from their properties’ defaults, and an own default wins', () => {
    expect(
      inputDefaults({
        type: 'object',
        properties: {
          options: {
            type: 'object',
            properties: {
              batch_size: { type: 'integer', default: 100 },
              save_results: { type: 'boolean', default: false },
              deeper: { type: 'object', properties: { level: { default: 3 } } },
              none: { type: 'object', properties: { x: { type: 'string' } } },
            },
          },
          preset: {
            type: 'object',
            default: { batch_size: 1 },
            properties: { extra: { default: 'y' } },
          },
        },
      }),
    ).toEqual({
      options: { batch_size: 100, save_results: false, deeper: { level: 3 } },
      preset: { batch_size: 1, extra: 'y' },
    });
  });

  it('follows local $refs and allOf, and does not guess between anyOf branches', () => {
    expect(
      inputDefaults({
        definitions: { threshold: { type: 'number', default: 0.5 } },
        allOf: [{ properties: { fromAllOf: { default: 'a' } } }],
        properties: {
          threshold: { $ref: '#/definitions/threshold' },
          choice: { anyOf: [{ default: 1 }, { default: 2 }] },
          missing: { $ref: '#/definitions/nowhere' },
        },
      }),
    ).toEqual({ fromAllOf: 'a', threshold: 0.5 });
  });

  it('is {} for a schema without defaults, none at all, or a root default that is not an object', () => {
    expect(inputDefaults({ type: 'object', properties: { a: { type: 'string' } } })).toEqual({});
    expect(inputDefaults({})).toEqual({});
    expect(inputDefaults(undefined)).toEqual({});
    expect(inputDefaults({ default: [1, 2] })).toEqual({});
  });

  it('ends on a recursive schema', () => {
    const recursive = {
      definitions: {
        node: {
          type: 'object',
          properties: { child: { $ref: '#/definitions/node' }, v: { default: 1 } },
        },
      },
      $ref: '#/definitions/node',
    };
    const derived = inputDefaults(recursive);
    expect(derived.v).toBe(1);
    expect(JSON.stringify(derived).length).toBeLessThan(10_000);
  });

  it('returns a copy: changing the payload does not change the schema', () => {
    const schema = { properties: { list: { default: [1] } } };
    const derived = inputDefaults(schema);
    (derived.list as number[]).push(2);
    expect(schema.properties.list.default).toEqual([1]);
  });
});
