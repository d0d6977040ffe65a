/**
 * A new procedural task in about 20 lines: bars, horizontal or vertical, at a
 * random position; the class is the orientation. Run: npx tsx examples/custom-task.ts
 */
import { defineTask, generate } from 'otfgen';

export const bars = defineTask({
  name: 'bars',
  sampleShape: [28, 28, 1],
  target: { kind: 'class', classes: 2 },
  params: {
    thickness: { min: 1, max: 8, default: [2, 4], integer: true, description: 'bar thickness in pixels' },
    brightness: { min: 0, max: 1, default: 1 },
  },
  render(rng, p, out, offset, label) {
    const at = rng.int(28 - p.thickness);
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) {
        const along = label === 0 ? r : c; // 0: horizontal bar, 1: vertical bar
        out[offset + r * 28 + c] = along >= at && along < at + p.thickness ? p.brightness : 0;
      }
    }
    return label;
  },
});

const [batch] = await generate(bars, { seed: 1, batchSize: 8, params: { classWeights: [1, 3] } })
  .take(1)
  .toArray();
console.log(
  'labels',
  Array.from(batch.y),
  'first image ink',
  batch.x.subarray(0, 784).reduce((a, v) => a + v, 0),
);
