/** The study's named sources: every family's recipes are in SOURCES, once, under their own names. */
import { describe, expect, it } from 'vitest';
import { SOURCES } from '../benchmarks/study/sources.js';
import { DEFORMATIONS } from '../benchmarks/study/recipes/deformations.js';
import { PROCEDURAL } from '../benchmarks/study/recipes/procedural.js';
import { RANDOM_WARPS } from '../benchmarks/study/recipes/random-warps.js';
import { SELF_TRAINING_RECIPES } from '../benchmarks/study/recipes/self-training.js';
import { SHAPE_PRIOR } from '../benchmarks/study/recipes/shape-prior.js';
import { STEERED } from '../benchmarks/study/recipes/steered.js';

describe('the named study sources', () => {
  it('hold every recipe of every family, and nothing else', () => {
    const families = [PROCEDURAL, RANDOM_WARPS, DEFORMATIONS, SHAPE_PRIOR, STEERED, SELF_TRAINING_RECIPES];
    const names = families.flatMap((f) => Object.keys(f));
    expect(new Set(names).size).toBe(names.length); // no name in two families
    expect(Object.keys(SOURCES).sort()).toEqual([...names].sort());
    for (const f of families) for (const [name, recipe] of Object.entries(f)) expect(SOURCES[name]).toBe(recipe);
  });

  it('describe themselves without project history', () => {
    for (const [name, r] of Object.entries(SOURCES)) {
      expect(r.description, name).not.toMatch(/committed|added after|session/);
      if (r.notByDefault) expect(r.notByDefault, name).toMatch(/^run only when named/);
    }
  });
});
