// A run's payload against a module's own JSON Schema: the issues `hla-compass test` reports for
// an input that violates `inputs` and results that violate `outputs`.
import { describe, expect, it } from 'vitest';
import { payloadJsonSchema, validatePayload } from '../src/index.js';

const INPUTS = {
  type: 'object',
  required: ['peptides'],
  additionalProperties: false,
  properties: {
    peptides: {
      type: 'array',
      items: { type: 'string', pattern: '^[ACDEFGHIKLMNPQRSTVWY]+$' },
      description: 'Peptide sequences in one-letter code',
    },
    minLength: { type: 'integer', minimum: 1, default: 8 },
    threshold: { type: 'number', exclusiveMinimum: 0 },
    note: { type: ['string', 'null'] },
  },
};

describe('validatePayload', () => {
  it('accepts a payload that fits the schema', () => {
    expect(validatePayload(INPUTS, { peptides: ['SIINFEKL'], minLength: 9 }, 'input')).toEqual({
      checked: true,
      valid: true,
      issues: [],
    });
  });

  it('names each violation by its pointer and field, with what is expected', () => {
    const check = validatePayload(
      INPUTS,
      { peptides: ['SIINFEKL', 'x1'], minLength: 0, threshold: 0, note: 3, extra: true },
      'input',
    );
    expect(check).toEqual({
      checked: true,
      valid: false,
      issues: [
        {
          code: 'schema.pattern',
          path: '/peptides/1',
          message: 'input.peptides[1] "x1" must match ^[ACDEFGHIKLMNPQRSTVWY]+$',
        },
        {
          code: 'schema.too_small',
          path: '/minLength',
          message: 'input.minLength must be at least 1, got 0',
        },
        {
          code: 'schema.too_small',
          path: '/threshold',
          message: 'input.threshold must be more than 0, got 0',
        },
        {
          code: 'schema.invalid_type',
          path: '/note',
          message: 'input.note must be a string or null, got 3',
        },
        {
          code: 'schema.unknown_field',
          path: '',
          message: 'input has a field the schema does not allow: "extra"',
        },
      ],
    });
  });

  it('says a required field is missing, with its description', () => {
    const check = validatePayload(INPUTS, {}, 'input');
    expect(check).toMatchObject({
      valid: false,
      issues: [
        {
          code: 'schema.required',
          path: '/peptides',
          message: 'input.peptides is required: Peptide sequences in one-letter code',
        },
      ],
    });
  });

  it('checks results of any JSON type, e.g. an array of objects', () => {
    const outputs = {
      type: 'array',
      items: { type: 'object', required: ['peptide'], properties: { peptide: { type: 'string' } } },
    };
    expect(validatePayload(outputs, [{ peptide: 'SIINFEKL' }], 'results')).toMatchObject({
      valid: true,
    });
    expect(validatePayload(outputs, [{ peptide: 7 }], 'results')).toMatchObject({
      valid: false,
      issues: [{ path: '/0/peptide', message: 'results[0].peptide must be a string, got 7' }],
    });
  });

  it('reports a schema it cannot apply instead of passing or failing the payload', () => {
    // Parsed, as a manifest's schema is: an object literal with `then` reads as a thenable to lint.
    const conditional = JSON.parse('{"if": {"type": "string"}, "then": {"minLength": 2}}');
    const check = validatePayload(conditional, 'a', 'input');
    expect(check).toEqual({ checked: false, reason: expect.stringContaining('if/then/else') });
  });
});

describe('payloadJsonSchema', () => {
  it('keeps a JSON Schema, and takes an absent or null one as "anything"', () => {
    expect(payloadJsonSchema(INPUTS)).toBe(INPUTS);
    expect(payloadJsonSchema(undefined)).toEqual({});
    expect(payloadJsonSchema(null)).toEqual({});
  });

  it("reads the SDK's flat form as an object schema: min/max, required: true", () => {
    const flat = {
      count: { type: 'integer', min: 1, max: 10, required: true },
      label: { type: 'string', default: 'x' },
    };
    const schema = payloadJsonSchema(flat);
    expect(schema).toEqual({
      type: 'object',
      properties: {
        count: { type: 'integer', minimum: 1, maximum: 10 },
        label: { type: 'string', default: 'x' },
      },
      required: ['count'],
    });
    expect(validatePayload(schema, { count: 11 }, 'input')).toMatchObject({
      issues: [{ code: 'schema.too_large', message: 'input.count must be at most 10, got 11' }],
    });
  });
});
