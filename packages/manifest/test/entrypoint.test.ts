// The static reading of a backend file: which top-level statements define the entrypoint's class.
import { describe, expect, it } from 'vitest';
import { definesClass, entrypointCandidates } from '../src/entrypoint.js';

describe('definesClass', () => {
  it.each([
    ['class Scorer(Module):\n    pass\n'],
    ['import os\n\nclass Scorer:\n    pass\n'],
    ['Scorer = build_class()\n'],
    ['Scorer: type = Base\n'],
    ['from .impl import Helper, Scorer  # re-exported\n'],
  ])('finds the class in %j', (source) => {
    expect(definesClass(source, 'Scorer')).toBe(true);
  });

  it.each([
    ['    class Scorer:\n        pass\n'],
    ['class ScorerBase:\n    pass\n'],
    ['# class Scorer\n'],
    ['Scorer == other\n'],
    ['from .impl import Helper  # Scorer lives elsewhere\n'],
    [''],
  ])('does not find it in %j', (source) => {
    expect(definesClass(source, 'Scorer')).toBe(false);
  });
});

it('looks for a.b as a/b.py, a/b/__init__.py, then the same under backend/', () => {
  expect(entrypointCandidates('a.b')).toEqual([
    'a/b.py',
    'a/b/__init__.py',
    'backend/a/b.py',
    'backend/a/b/__init__.py',
  ]);
});
