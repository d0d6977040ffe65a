/**
 * Issue 40, item 9: unknown option keys (a typo like `batchsize`) were ignored everywhere. Every public
 * function that takes an options object refuses a key it does not know, naming it and the keys it takes.
 */
import { describe, expect, it } from 'vitest';
import * as otfgen from '../src/index.js';
import * as adaptive from '../src/adaptive/index.js';
import * as node from '../src/node/index.js';
import * as harness from '../src/harness/index.js';

const typo = { nope: 1 } as never;
const any = undefined as never;

/** [the argument an error names, a call with an unknown key] */
const calls: [string, () => unknown][] = [
  ['generate options', () => otfgen.generate(otfgen.digits, typo)],
  ['renderBatch options', () => otfgen.renderBatch(otfgen.digits, typo)],
  ['arraySource options', () => otfgen.arraySource(any, typo)],
  ['warmupSchedule options', () => otfgen.warmupSchedule(typo)],
  ['shuffle options', () => otfgen.shuffle(8, typo)],
  ['rebatch options', () => otfgen.rebatch(8, typo)],
  ['mix options', () => otfgen.mix(any, any, typo)],
  ['timed options', () => otfgen.timed(any, typo)],
  ['toTensors options', () => otfgen.toTensors(any, typo)],
  ['toDataset options', () => otfgen.toDataset(any, typo)],
  ['cutMix options', () => otfgen.cutMix(typo)],
  ['defineTask(definition)', () => otfgen.defineTask(typo)],
  ['pixelCountTask options', () => otfgen.pixelCountTask(typo)],
  ['pickExemplars options', () => otfgen.pickExemplars(any, typo)],
  ['exemplarTask options', () => otfgen.exemplarTask(any, typo)],
  ['fitParams options', () => otfgen.fitParams(otfgen.digits, any, typo)],
  ['affineWarpTensor options', () => adaptive.affineWarpTensor(any, any, typo)],
  ['learnDeformations options', () => adaptive.learnDeformations(any, typo)],
  ['learnExemplarDeformations options', () => adaptive.learnExemplarDeformations(any, any, typo)],
  ['learnedAugmenter options', () => adaptive.learnedAugmenter(typo)],
  ['classReweighting options', () => adaptive.classReweighting(typo)],
  ['policyController options', () => adaptive.policyController(otfgen.digits, typo)],
  ['mixPolicy options', () => adaptive.mixPolicy(typo)],
  ['strengthController options', () => adaptive.strengthController(typo)],
  ['selfTraining options', () => adaptive.selfTraining(typo)],
  ['generateInWorkers options', () => node.generateInWorkers(otfgen.digits, typo)],
  ['mnist options', () => node.mnist(typo)],
  ['imageFolder options', () => node.imageFolder('.', typo)],
  ['exportDataset options', () => node.exportDataset(otfgen.digits, typo)],
  ['exportRecipe options', () => node.exportRecipe(otfgen.makeRecipe(otfgen.digits, { count: 1 }), typo)],
  ['makeRecipe options', () => otfgen.makeRecipe(otfgen.digits, typo)],
  ['generateRecipe options', () => otfgen.generateRecipe(otfgen.makeRecipe(otfgen.digits, { count: 1 }), typo)],
  ['selectBackend options', () => node.selectBackend(typo)],
  ['createModel options', () => harness.createModel(typo)],
  ['train options', () => harness.train(typo)],
  ['evaluate options', () => harness.evaluate(any, typo)],
  ['teacherLogits options', () => harness.teacherLogits([], typo)],
  ['previewPng options', () => harness.previewPng(otfgen.digits, typo)],
  ['readBack options', () => harness.readBack(typo)],
];

describe('an unknown option key', () => {
  it.each(calls)('%s: refused, named, with the keys the function takes', async (argument, call) => {
    const err = await (async () => call())().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(otfgen.OtfgenArgumentError);
    expect((err as Error).message).toMatch(new RegExp(`^${argument.replace(/[()]/g, '\\$&')}\\.nope: no such option; the options are: \\w+`));
  });

  it('names the near miss of a typo in case', () => {
    expect(() => otfgen.generate(otfgen.digits, { batchsize: 32 } as never)).toThrow(
      'generate options.batchsize: no such option (did you mean batchSize?); the options are: seed, batchSize, params, batches, startBatch, recycle',
    );
  });

  it('lets a key whose value is undefined pass, as if it were absent', () => {
    expect(() => otfgen.generate(otfgen.digits, { batchSize: 8, later: undefined } as never)).not.toThrow();
  });
});
