import { describe, expect, it } from 'vitest';
import { OtfgenArgumentError } from '../src/index.js';
import { jsonObject, positiveInt, seedOption } from '../src/cli/common.js';

describe('CLI option parsers', () => {
  it('--params: a JSON object, or a typed error naming the option', () => {
    const parse = jsonObject('--params');
    expect(parse('{"styleWeights":[0,0,0,0,1,1],"slant":[-20,30]}')).toEqual({ styleWeights: [0, 0, 0, 0, 1, 1], slant: [-20, 30] });
    expect(() => parse('{slant: 3}')).toThrow(OtfgenArgumentError);
    expect(() => parse('{slant: 3}')).toThrow(/--params: expected JSON, got '\{slant: 3\}'/);
    for (const notObject of ['[1, 2]', 'null', '3', '"x"']) expect(() => parse(notObject)).toThrow(/--params: expected a JSON object/);
  });

  it('positive integers', () => {
    expect(positiveInt('--steps')('30')).toBe(30);
    for (const bad of ['0', '-2', '1.5', 'x']) expect(() => positiveInt('--steps')(bad)).toThrow(/--steps: expected a positive integer/);
  });

  it('--seed: digits are a number, other text a string seed, and the default is the number 1', () => {
    const option = seedOption();
    expect(option.parseArg!('7', undefined)).toBe(7);
    expect(option.parseArg!('run-a', undefined)).toBe('run-a');
    expect(option.defaultValue).toBe(1);
  });
});
