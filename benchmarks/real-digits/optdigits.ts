/**
 * A real handwritten digit set that is not MNIST: scikit-learn's `digits`
 * (UCI "Optical Recognition of Handwritten Digits", 1,797 images by writers
 * other than MNIST's, CC BY 4.0), which Debian ships in python3-sklearn
 * (`apt-get install -y python3-sklearn`). Each image is 8x8 counts (0-16) of
 * the on pixels of a 32x32 bitmap's 4x4 blocks: far lower resolution than
 * MNIST. For a model trained on MNIST-like 28x28 images, each is brought to
 * MNIST's framing: intensities count / 16, upsampled bilinearly to 20x20
 * (MNIST's digit box), placed in 28x28 with its centre of mass at the centre
 * (MNIST's rule).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { ArrayDataset } from '../../src/index.js';

export const OPTDIGITS_FILE = '/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz';

export function optdigits(file = OPTDIGITS_FILE): ArrayDataset {
  let text: string;
  try {
    text = gunzipSync(readFileSync(file)).toString('utf8');
  } catch (e) {
    throw new Error(`cannot read ${file} (${(e as Error).message}): apt-get install -y python3-sklearn`, { cause: e });
  }
  const rows = text.trim().split('\n');
  const x = new Float32Array(rows.length * 784);
  const y = new Uint8Array(rows.length);
  const box = new Float32Array(400);
  rows.forEach((row, i) => {
    const v = row.split(',').map(Number);
    if (v.length !== 65) throw new Error(`${file}: row ${i + 1} has ${v.length} values, expected 65 (64 counts and a label)`);
    y[i] = v[64];
    // Bilinear from the 8x8 grid's pixel centres to the 20x20 grid's.
    for (let r = 0; r < 20; r++) {
      const sy = Math.min(7, Math.max(0, ((r + 0.5) * 8) / 20 - 0.5));
      const y0 = Math.floor(sy),
        y1 = Math.min(7, y0 + 1),
        fy = sy - y0;
      for (let c = 0; c < 20; c++) {
        const sx = Math.min(7, Math.max(0, ((c + 0.5) * 8) / 20 - 0.5));
        const x0 = Math.floor(sx),
          x1 = Math.min(7, x0 + 1),
          fx = sx - x0;
        const top = v[y0 * 8 + x0] * (1 - fx) + v[y0 * 8 + x1] * fx;
        const bottom = v[y1 * 8 + x0] * (1 - fx) + v[y1 * 8 + x1] * fx;
        box[r * 20 + c] = (top * (1 - fy) + bottom * fy) / 16;
      }
    }
    let m = 0,
      mx = 0,
      my = 0;
    for (let k = 0; k < 400; k++) {
      m += box[k];
      mx += box[k] * (k % 20);
      my += box[k] * Math.floor(k / 20);
    }
    // Offset so the centre of mass lands on pixel 14 (of 0..27), kept inside the frame.
    const ox = Math.min(8, Math.max(0, Math.round(14 - (m > 0 ? mx / m : 9.5)))),
      oy = Math.min(8, Math.max(0, Math.round(14 - (m > 0 ? my / m : 9.5))));
    for (let r = 0; r < 20; r++) x.set(box.subarray(r * 20, r * 20 + 20), i * 784 + (r + oy) * 28 + ox);
  });
  return { x, y, sampleShape: [28, 28, 1], target: { kind: 'class', classes: 10 } };
}
