/**
 * Distillation on generated data only: a wide CNN learns the digits task
 * (tuned ranges, all writing styles), then the reference CNN learns to
 * reproduce the wide CNN's logits on fresh generated digits, for six times
 * as many steps. No real image is used for training; both are tested on the
 * 10,000 real MNIST test images. About 17 minutes on wasm here (teacher 0.9558, student 0.9508). Seed 1 of
 * `otfgen synthetic-only --teacher wide --steps 18000` does the same.
 * Run: npx tsx examples/distil-synthetic.ts
 */
import { digits, generate } from 'otfgen';
import { createModel, evaluate, logitsTarget, teacherLogits, train } from 'otfgen/harness';
import { mnist, selectBackend } from 'otfgen/node';
import '@tensorflow/tfjs-layers'; // registers the gradients training needs in Node

const params = {
  aspect: [0.7, 1.2],
  strokeWidth: [1.8, 3.8],
  scale: [0.92, 1],
  blur: [0, 0.5],
  elastic: [0, 0.2],
  slant: [-20, 30],
  pressure: [0, 0.8],
  jitter: [0, 0.12],
  styleWeights: [1, 1, 1, 1, 1, 1],
} as const;

await selectBackend();
const test = await mnist({ split: 'test' });

const teacher = createModel({ seed: 1, architecture: 'wide' });
await train({ model: teacher, steps: generate(digits, { seed: 1, batchSize: 64, params }), totalSteps: 3000, lrSchedule: 'one-cycle' });
console.log(`wide teacher, trained on generated digits: real test accuracy ${(await evaluate(teacher, { data: test })).accuracy.toFixed(4)}`);

// The student's targets: the teacher's logits for each generated batch, learned through a regression head of 10.
const taught = generate(digits, { seed: 101, batchSize: 64, params }).pipe(teacherLogits([teacher]));
const student = createModel({ seed: 1 });
// Longer than the teacher: a student keeps learning its teacher's function well past 3,000 steps.
await train({ model: student, steps: taught, totalSteps: 18000, lrSchedule: 'one-cycle' });
const { accuracy } = await evaluate(student, { data: test, head: logitsTarget(10) });
console.log(`reference CNN, taught by it on generated digits: real test accuracy ${accuracy.toFixed(4)}`);
teacher.dispose();
student.dispose();
