/** Procedural tasks as they are: no real image. */
import { generate } from '../../../src/tasks/generate.js';
import { pixelCountTask } from '../../../src/tasks/pixel-count.js';
import { MNIST_DIGIT_PARAMS, digits } from '../../../src/tasks/digits/index.js';
import { fashion } from '../../../src/tasks/fashion/index.js';
import { BY_NAME, proceduralDigits, proceduralFashion, type Recipes } from './common.js';

export const PROCEDURAL: Recipes = {
  'pixel-count': {
    description: 'random binary images, target the share of on pixels (regression; the head is swapped after warm-up)',
    notOneShot: 'a warm-up task whose labels are pixel counts, not digits',
    make: ({ seed, batchSize }) => ({ stream: generate(pixelCountTask({ target: 'fraction' }), { seed, batchSize }) }),
  },
  digits: {
    procedural: digits,
    description: 'procedural digits (the digits task, default parameters): the same 10 classes, no real image',
    make: (ctx) => ({ stream: proceduralDigits(ctx) }),
  },
  'digits-fitted': {
    procedural: digits,
    description: "procedural digits with MNIST_DIGIT_PARAMS (centre 14 and ranges fitted to MNIST's training images), no real image; --params goes on top",
    notByDefault: BY_NAME,
    make: (ctx) => ({ stream: proceduralDigits({ ...ctx, params: { ...MNIST_DIGIT_PARAMS, ...ctx.params } }) }),
  },
  fashion: {
    procedural: fashion,
    description: "procedural fashion items (the fashion task, default parameters): Fashion-MNIST's 10 classes, no real image (for --data with Fashion-MNIST)",
    forData: 'Fashion-MNIST',
    make: (ctx) => ({ stream: proceduralFashion(ctx) }),
  },
};
