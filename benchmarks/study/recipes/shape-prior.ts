/** A shape prior beside the exemplars: procedural items of the same classes mixed in, sample by sample. */
import { digits } from '../../../src/tasks/digits/index.js';
import { fashion } from '../../../src/tasks/fashion/index.js';
import { digitsAndExemplars, proceduralFashion, thickAt, withExemplars, type Recipes } from './common.js';

export const SHAPE_PRIOR: Recipes = {
  'exemplars-digits': {
    procedural: digits,
    description:
      'a shape prior beside the exemplars: an even mix, sample by sample, of procedural digits (the digits task, default parameters) and the exemplars as in exemplars-thick-x1.25',
    make: (ctx) => ({ stream: digitsAndExemplars(ctx, thickAt(1.25), [1, 1]) }),
  },
  'exemplars-fashion': {
    procedural: fashion,
    description:
      'as exemplars-digits with procedural fashion items (the fashion task, default parameters) for the digits: for one-shot on Fashion-MNIST (--data)',
    forData: 'Fashion-MNIST',
    make: (ctx) => ({ stream: withExemplars(proceduralFashion(ctx), ctx, thickAt(1.25), [1, 1]) }),
  },
};
