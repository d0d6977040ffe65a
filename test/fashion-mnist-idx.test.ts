import { describe, expect, it } from 'vitest';
import { splitClasses } from '../benchmarks/fashion-mnist-idx.js';

/** Class c's image i: every byte is 10 * i + c (distinct while 10 * i + c < 256). */
const image = (c: number, i: number) => new Array<number>(784).fill(10 * i + c);
const classes = (perClass: number) => Array.from({ length: 10 }, (_, c) => Array.from({ length: perClass }, (_, i) => image(c, i)));
/** Each image of a set as [class, index], from its first byte. */
const ids = (x: Uint8Array) => Array.from({ length: x.length / 784 }, (_, n) => [x[n * 784] % 10, Math.floor(x[n * 784] / 10)]);

describe('benchmarks/fashion-mnist-idx.ts splitClasses', () => {
  it("tests on each class's last images, trains on the rest, classes in turn, labels with their images", () => {
    const { train, test, shared } = splitClasses(classes(5), 2);
    expect(train.y.length).toBe(30);
    expect(test.y.length).toBe(20);
    expect(Array.from(test.y.subarray(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    expect(ids(test.x).filter(([c]) => c === 4)).toEqual([
      [4, 3],
      [4, 4],
    ]);
    expect(ids(train.x).filter(([c]) => c === 4)).toEqual([
      [4, 0],
      [4, 1],
      [4, 2],
    ]);
    ids(train.x).forEach(([c], n) => expect(train.y[n]).toBe(c));
    expect(shared).toBe(0);
  });

  it('with validation, splits the training images alone: the test images are left out', () => {
    const { train, test } = splitClasses(classes(5), 2, true);
    expect(ids(test.x).filter(([c]) => c === 7)).toEqual([
      [7, 1],
      [7, 2],
    ]);
    expect(ids(train.x).filter(([c]) => c === 7)).toEqual([[7, 0]]);
  });

  it('counts test images that are in the training set too, and refuses a class too small to split', () => {
    const dup = classes(4);
    dup[3][3] = image(3, 0);
    expect(splitClasses(dup, 1).shared).toBe(1);
    expect(() => splitClasses(classes(2), 2)).toThrow(/class 0: 2 images, not enough for 2 test images/);
  });
});
