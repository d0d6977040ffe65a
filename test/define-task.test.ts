/**
 * defineTask's checks, one case for each way a definition or a parameter value
 * can be wrong, each with its whole message (the argument it names and what
 * would be right), and the boundary values that must pass. The cases are the
 * specification of the checks: a check loosened, tightened or sent to the
 * wrong message fails one of them.
 */
import { describe, expect, it } from 'vitest';
import { defineTask, generate, OtfgenArgumentError, pixelCountTask } from '../src/index.js';
import { checkParamValue, checkTask, paramSpec, type ParamSpec } from '../src/tasks/define-task.js';
import { thrownBy } from './helpers.js';

const base = { name: 't', sampleShape: [2], target: { kind: 'class', classes: 2 } as const, params: {}, render: () => 0 };
const define = (change: Record<string, unknown>) => () => defineTask({ ...base, ...change } as never);

/** The thrown error, checked to be an argument error. */
const thrown = (f: () => unknown) => thrownBy(f, OtfgenArgumentError);

describe('defineTask refuses a definition, naming the field and what would be right', () => {
  const shapeWanted = 'expected a non-empty array of positive integers, e.g. [28, 28, 1]';
  const targetWanted = "expected { kind: 'class', classes } or { kind: 'regression', size }";
  const nameWanted = "expected a name like 'my-task' (letters, digits, dashes, starting with a lower-case letter), got";
  const cases: [string, () => unknown, string][] = [
    ['no definition', () => defineTask(undefined as never), 'defineTask(definition): expected an object'],
    ['a number for a definition', () => defineTask(3 as never), 'defineTask(definition): expected an object'],
    ['a name with a space', define({ name: 'Bad Name' }), `defineTask name: ${nameWanted} "Bad Name"`],
    ['a name starting with a digit', define({ name: '1task' }), `defineTask name: ${nameWanted} "1task"`],
    ['no name', define({ name: undefined }), `defineTask name: ${nameWanted} undefined`],
    ['a version of 0', define({ version: 0 }), "task 't' version: expected an integer >= 1, got 0"],
    ['no sample shape', define({ sampleShape: undefined }), `task 't' sampleShape: ${shapeWanted}`],
    ['an empty sample shape', define({ sampleShape: [] }), `task 't' sampleShape: ${shapeWanted}`],
    ['a zero dimension', define({ sampleShape: [3, 0] }), "task 't' sampleShape[1]: expected an integer >= 1, got 0"],
    ['no target', define({ target: undefined }), `task 't' target: ${targetWanted}`],
    ['another kind of target', define({ target: { kind: 'ranking' } }), `task 't' target: ${targetWanted}`],
    ['one class', define({ target: { kind: 'class', classes: 1 } }), "task 't' target.classes: expected an integer >= 2, got 1"],
    ['a regression of size 0', define({ target: { kind: 'regression', size: 0 } }), "task 't' target.size: expected an integer >= 1, got 0"],
    ['no render', define({ render: undefined }), "task 't' render: expected a function (rng, params, out, offset, label) => target"],
    ['a parameter that is not an object', define({ params: { a: 3 } }), `task 't' params.a: expected { min, max, default } or { type: "weights", length }`],
    [
      'a parameter with min > max',
      define({ params: { a: { min: 1, max: 0, default: 0 } } }),
      "task 't' params.a: expected finite min <= max, got min 1, max 0",
    ],
    [
      'a parameter with an infinite max',
      define({ params: { a: { min: 0, max: Infinity, default: 0 } } }),
      "task 't' params.a: expected finite min <= max, got min 0, max Infinity",
    ],
    ['a parameter with no min', define({ params: { a: { max: 1, default: 0 } } }), "task 't' params.a: expected finite min <= max, got min undefined, max 1"],
    [
      'a default outside the range',
      define({ params: { a: { min: 0, max: 1, default: 2 } } }),
      "task 't' params.a.default: expected a number or a [lo, hi] range within [0, 1], got 2",
    ],
    ['weights of length 0', define({ params: { w: { type: 'weights', length: 0 } } }), "task 't' params.w.length: expected an integer >= 1, got 0"],
    [
      'default weights too short',
      define({ params: { w: { type: 'weights', length: 3, default: [1, 1] } } }),
      "task 't' params.w: expected 3 non-negative weights, not all zero; got [1, 1]",
    ],
  ];
  it.each(cases)('%s', (_, f, message) => {
    expect(thrown(f).message).toBe(message);
  });

  it('accepts the edge of each check', () => {
    expect(defineTask({ ...base, name: 'a', sampleShape: [1] }).sampleLength).toBe(1);
    expect(defineTask({ ...base, name: 'my-Task-2' }).name).toBe('my-Task-2');
    expect(defineTask({ ...base, params: { a: { min: 1, max: 1, default: 1 } } }).params.a).toEqual({ min: 1, max: 1, default: 1 });
    expect(defineTask({ ...base, params: { a: { min: 0, max: 1, default: [0, 1] } } }).params.a.default).toEqual([0, 1]);
    expect(defineTask({ ...base, params: { w: { type: 'weights', length: 2, default: [0, 1] } } }).params.w.length).toBe(2);
    expect(defineTask({ ...base, sampleShape: [2, 3, 4] }).sampleLength).toBe(24);
  });
});

describe('what defineTask makes', () => {
  it('a class task is conditional and gets classWeights of its class count, unless it says otherwise', () => {
    const task = defineTask({ ...base, target: { kind: 'class', classes: 3 } });
    expect(task.conditional).toBe(true);
    expect(task.params.classWeights).toEqual({ type: 'weights', length: 3, description: 'relative sampling weight of each class' });
    expect(task.version).toBe(1);
    const free = defineTask({ ...base, conditional: false });
    expect(free.conditional).toBe(false);
    expect(Object.keys(free.params)).toEqual([]);
  });

  it('a regression task is never conditional and gets no classWeights', () => {
    const task = defineTask({ ...base, target: { kind: 'regression', size: 2 }, conditional: true } as never);
    expect(task.conditional).toBe(false);
    expect(Object.keys(task.params)).toEqual([]);
  });

  it('a task that declares its own classWeights keeps them', () => {
    const own: ParamSpec = { type: 'weights', length: 2, default: [1, 2], description: 'mine' };
    const task = defineTask({ ...base, params: { classWeights: own } });
    expect(task.params.classWeights).toEqual(own);
  });

  it('keeps the version it is given, and freezes the task and its parameters', () => {
    const task = defineTask({ ...base, version: 4, params: { a: { min: 0, max: 1, default: 0 } } });
    expect(task.version).toBe(4);
    expect(Object.isFrozen(task)).toBe(true);
    expect(Object.isFrozen(task.params)).toBe(true);
  });
});

describe('checkParamValue', () => {
  const range: ParamSpec = { min: 0, max: 1, default: 0 };
  const weights: ParamSpec = { type: 'weights', length: 2 };
  const refuse = (spec: ParamSpec, value: unknown) => thrown(() => checkParamValue('p', spec, value)).message;

  it('takes a number or an ordered range within the bounds, ends included', () => {
    for (const ok of [0, 1, 0.5, [0, 1], [0.5, 0.5], [0, 0]]) expect(() => checkParamValue('p', range, ok)).not.toThrow();
  });

  it('refuses a value outside, a reversed or malformed range, and a non-number, naming the argument', () => {
    const wanted = 'p: expected a number or a [lo, hi] range within [0, 1], got';
    expect(refuse(range, -0.1)).toBe(`${wanted} -0.1`);
    expect(refuse(range, 1.5)).toBe(`${wanted} 1.5`);
    expect(refuse(range, NaN)).toBe(`${wanted} NaN`);
    expect(refuse(range, '0.5')).toBe(`${wanted} "0.5"`);
    expect(refuse(range, [0.9, 0.1])).toBe(`${wanted} [0.9, 0.1]`);
    expect(refuse(range, [0.5])).toBe(`${wanted} [0.5]`);
    expect(refuse(range, [0, 0.5, 1])).toBe(`${wanted} [0, 0.5, 1]`);
    expect(refuse(range, [-1, 0.5])).toBe(`${wanted} [-1, 0.5]`);
    expect(refuse(range, [0.5, 2])).toBe(`${wanted} [0.5, 2]`);
    expect(refuse(range, ['0', 1])).toBe(`${wanted} ["0", 1]`);
  });

  it('takes non-negative weights of the declared length, as an array or a typed array, with one above zero', () => {
    for (const ok of [[0, 1], [1, 0], [2, 3], new Float32Array([0, 1])]) expect(() => checkParamValue('p', weights, ok)).not.toThrow();
  });

  it('refuses weights of another length, negative, all zero, not finite or not an array', () => {
    const wanted = 'p: expected 2 non-negative weights, not all zero; got';
    expect(refuse(weights, [1])).toBe(`${wanted} [1]`);
    expect(refuse(weights, [1, 1, 1])).toBe(`${wanted} [1, 1, 1]`);
    expect(refuse(weights, [0, 0])).toBe(`${wanted} [0, 0]`);
    expect(refuse(weights, [-1, 2])).toBe(`${wanted} [-1, 2]`);
    expect(refuse(weights, [1, Infinity])).toBe(`${wanted} [1, Infinity]`);
    expect(refuse(weights, [1, NaN])).toBe(`${wanted} [1, NaN]`);
    expect(refuse(weights, 1)).toBe(`${wanted} 1`);
    expect(refuse(weights, { 0: 1, 1: 1, length: 2 })).toBe(`${wanted} {"0":1,"1":1,"length":2}`);
  });
});

describe('paramSpec and checkTask', () => {
  it('paramSpec gives the declared spec, or names the argument and lists what the task has', () => {
    const task = defineTask({ ...base, params: { a: { min: 0, max: 1, default: 0 } } });
    expect(paramSpec(task, 'a', 'x')).toBe(task.params.a);
    expect(thrown(() => paramSpec(task, 'b', 'ranges.b')).message).toBe("ranges.b: task 't' has no such parameter; it has: a, classWeights");
    const none = defineTask({ ...base, conditional: false });
    expect(thrown(() => paramSpec(none, 'b', 'ranges.b')).message).toBe("ranges.b: task 't' has no such parameter; it has: none");
    expect(thrown(() => paramSpec(task, 'toString', 'p')).message).toMatch(/^p: task 't' has no such parameter/);
  });

  it('checkTask passes a task and refuses anything missing one of its parts, pointing a name to taskByName', () => {
    const task = defineTask(base);
    expect(() => checkTask('arg', task)).not.toThrow();
    expect(() => checkTask('arg', pixelCountTask())).not.toThrow();
    const wanted = 'arg: expected a task made by defineTask (or a built-in such as digits), got';
    expect(thrown(() => checkTask('arg', null)).message).toBe(`${wanted} null`);
    expect(thrown(() => checkTask('arg', { ...task, render: 1 })).message).toMatch(/^arg: expected a task made by defineTask/);
    expect(thrown(() => checkTask('arg', { ...task, sampleLength: '2' })).message).toMatch(/^arg: expected a task made by defineTask/);
    expect(thrown(() => checkTask('arg', { ...task, params: undefined })).message).toMatch(/^arg: expected a task made by defineTask/);
    expect(thrown(() => checkTask('arg', 'digits')).message).toBe(`${wanted} "digits"; for a built-in task by name, pass taskByName("digits")`);
    expect(thrown(() => checkTask('arg', 7)).message).toBe(`${wanted} 7`);
  });

  it('generate checks parameter values against the task it is given', () => {
    const task = defineTask({ ...base, params: { a: { min: 0, max: 1, default: 0 } } });
    expect(thrown(() => generate(task, { params: { a: 2 } })).message).toMatch(/params\.a: expected a number or a \[lo, hi\] range within \[0, 1\], got 2$/);
    expect(() => generate(task, { params: { a: [0.2, 0.4] } })).not.toThrow();
  });
});
