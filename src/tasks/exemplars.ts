/**
 * exemplarTask: a few real images per class, each sample one of them under a
 * random affine warp (the study's static baseline for one-shot warm-ups),
 * optionally an elastic warp, a deformation learnt by `learnDeformations` or
 * `learnExemplarDeformations`,
 * and a stroke thickness change.
 */
import { sampleLength, type TargetSpec } from '../core/batch.js';
import { checkKeys, OtfgenArgumentError, checkInt, describe } from '../core/errors.js';
import { affineWarp, elasticField, latticeField, type AffineParams, type Displacement } from '../image/affine.js';
import { Rng, checkSeed, type Seed } from '../core/rng.js';
import { datasetCount, indicesByClass, type ArrayDataset } from '../sources/arrays.js';
import { defineTask, type NumberParam, type Task, type WithClassWeights } from './define-task.js';

/** Control points per side of the elastic warp's lattice, unless options.elasticGrid says otherwise. */
const ELASTIC_GRID = 3;

/** The exemplar task's warp parameters, each drawn per sample from its range. */
/** Deformations learnt by `learnDeformations` (otfgen/adaptive): lattices of control point moves, by class. */
export interface Deformations {
  /** Control points per side of each lattice (interpolated bilinearly over the image). */
  readonly grid: number;
  /** The images' height in pixels. */
  readonly height: number;
  /** The images' width in pixels. */
  readonly width: number;
  /**
   * Per class, its lattices one after another, `grid * grid * 2` numbers each:
   * the x then y move in pixels of each control point, row by row (a
   * `[grid, grid, 2]` tensor's order). Warping an image of the pair's first
   * image's class by one moves it towards the second.
   */
  readonly byClass: readonly Float32Array[];
  /**
   * Per class, the mean squared pixel difference of its pairs (blurred as
   * registered) before and after registration: how much of the difference
   * the lattices account for.
   */
  readonly fit: readonly {
    /** Mean squared difference of the blurred pairs as they are. */
    readonly before: number;
    /** The same after the first of each pair is warped by its lattice. */
    readonly after: number;
  }[];
}

/** Deformations learnt by `learnExemplarDeformations` (otfgen/adaptive): lattices of control point moves, by exemplar. */
export interface ExemplarDeformations {
  /** Control points per side of each lattice (interpolated bilinearly over the image). */
  readonly grid: number;
  /** The images' height in pixels. */
  readonly height: number;
  /** The images' width in pixels. */
  readonly width: number;
  /**
   * Per exemplar, in the order of the exemplars' images, its lattices one
   * after another, `grid * grid * 2` numbers each (the order of
   * {@link Deformations.byClass}). Warping the exemplar by one moves it
   * towards one image of its class.
   */
  readonly byExemplar: readonly Float32Array[];
  /** Per exemplar, the mean squared pixel difference (blurred) to its images before and after registration. */
  readonly fit: readonly {
    /** Mean squared difference of the blurred exemplar and images as they are. */
    readonly before: number;
    /** The same after the exemplar is warped by each image's lattice. */
    readonly after: number;
  }[];
}

/** The parameters of `exemplarTask`: the warps drawn per sample (affine, elastic, thickness, deformation), and the class weights. */
export type ExemplarParams = {
  /** Rotation in degrees, in [−180, 180] (default ±15). */
  readonly rotation: NumberParam;
  /** Zoom factor, in [0.25, 4] (default 0.9 to 1.1). */
  readonly scale: NumberParam;
  /** Horizontal shear in degrees, in [−60, 60] (default ±10). */
  readonly shear: NumberParam;
  /** Largest shift in pixels along each axis, in [0, 14] (default 2): each axis draws its own in ±shift. */
  readonly shift: NumberParam;
  /** Largest move in pixels of each point of the elastic lattice, in [0, 6] (default 0: none). */
  readonly elastic: NumberParam;
  /**
   * How far to apply a deformation drawn from `options.deformations`, one of
   * the sample's class or of its exemplar (a factor on its moves, in [0, 4];
   * default 0: none). Without deformations its only value is 0.
   */
  readonly deformation: NumberParam;
  /** Stroke thickness change: above 0 thickens (grey dilation), below 0 thins (grey erosion); 1 is one pixel each side. */
  readonly thickness: NumberParam;
};

/** Exemplar images (uint8 or float, one channel) with their class ids. */
export interface Exemplars {
  /** The images, values in [0, 1], one after another. */
  readonly x: Float32Array;
  /** Each image's class id. */
  readonly y: Int32Array;
  /** One image's shape, [height, width, 1]. */
  readonly sampleShape: readonly number[];
  /** The classes, from the dataset they were picked from. */
  readonly target: TargetSpec & {
    /** 'class'. */
    kind: 'class';
  };
}

/**
 * Options of {@link exemplarTask}.
 * @inline
 */
export interface ExemplarTaskOptions {
  /**
   * Deformations for the `deformation` parameter to apply: by class, from
   * `learnDeformations` over images of the same classes and size, or by
   * exemplar, from `learnExemplarDeformations` over these exemplars.
   */
  readonly deformations?: Deformations | ExemplarDeformations;
  /** Control points per side of the elastic warp's lattice, 2 to 14 (default 3). */
  readonly elasticGrid?: number;
}

/**
 * Picks `perClass` images of every class from a dataset, by seed.
 * @example
 * ```ts
 * const ex = pickExemplars(await mnist({ split: 'train' }), { perClass: 1, seed: 1 });
 * ```
 */
export function pickExemplars(data: ArrayDataset, options: { perClass?: number; seed?: Seed } = {}): Exemplars {
  checkKeys('pickExemplars options', options, ['perClass', 'seed']);
  datasetCount(data, 'pickExemplars(data)');
  if (data.target.kind !== 'class') throw new OtfgenArgumentError('pickExemplars(data).target', 'needs class targets');
  const perClass = checkInt('pickExemplars options.perClass', options.perClass ?? 1, 1);
  const classes = data.target.classes;
  const n = sampleLength(data.sampleShape);
  const rng = new Rng(checkSeed('pickExemplars options.seed', options.seed ?? 0));
  const byClass = indicesByClass(data.y, classes, 'pickExemplars(data).y');
  const x = new Float32Array(classes * perClass * n);
  const y = new Int32Array(classes * perClass);
  const scale = data.x instanceof Uint8Array ? 1 / 255 : 1;
  byClass.forEach((idx, c) => {
    if (idx.length < perClass) throw new OtfgenArgumentError('pickExemplars options.perClass', `class ${c} has ${idx.length} images, fewer than ${perClass}`);
    for (let k = 0; k < perClass; k++) {
      const j = idx.splice(rng.int(idx.length), 1)[0];
      const o = (c * perClass + k) * n;
      for (let t = 0; t < n; t++) x[o + t] = data.x[j * n + t] * scale;
      y[c * perClass + k] = c;
    }
  });
  return { x, y, sampleShape: data.sampleShape, target: data.target };
}

/**
 * @example
 * ```ts
 * const task = exemplarTask(pickExemplars(trainSet, { perClass: 1, seed: 1 }));
 * const stream = generate(task, { seed: 1, params: { rotation: [-30, 30] } });
 * ```
 */
export function exemplarTask(exemplars: Exemplars, options: ExemplarTaskOptions = {}): Task<WithClassWeights<ExemplarParams>> {
  checkKeys('exemplarTask options', options, ['deformations', 'elasticGrid']);
  const [h, w, c] = exemplars.sampleShape;
  if (exemplars.sampleShape.length !== 3 || c !== 1)
    throw new OtfgenArgumentError('exemplarTask(exemplars).sampleShape', `expected [height, width, 1], got [${exemplars.sampleShape.join(', ')}]`);
  const classes = exemplars.target.classes;
  const n = h * w;
  const byClass = indicesByClass(exemplars.y, classes, 'exemplarTask(exemplars).y');
  byClass.forEach((list, cls) => {
    if (list.length === 0) throw new OtfgenArgumentError('exemplarTask(exemplars)', `class ${cls} has no exemplar`);
  });
  if (typeof options !== 'object' || options === null) throw new OtfgenArgumentError('exemplarTask(options)', `expected an object, got ${describe(options)}`);
  const elasticGrid = checkInt('exemplarTask options.elasticGrid', options.elasticGrid ?? ELASTIC_GRID, 2, 14);
  const deformations = options.deformations === undefined ? undefined : checkDeformations(options.deformations, h, w, classes, exemplars.y.length);
  const warp: AffineParams = { rotation: 0, scale: 1, shear: 0, shiftX: 0, shiftY: 0 };
  // Scratch for the elastic field, reused by every sample (render is synchronous).
  const control = new Float64Array(2 * elasticGrid * elasticGrid);
  const field: Displacement = { dx: new Float32Array(n), dy: new Float32Array(n) };
  const moved: Displacement = { dx: new Float32Array(n), dy: new Float32Array(n) }; // a learnt deformation, before any elastic field is added
  const warped = new Float32Array(n); // the warp, before a thickness change
  return defineTask({
    name: 'exemplars',
    version: 1,
    origin: {
      module: 'otfgen',
      export: 'exemplarTask',
      args: options.deformations === undefined && options.elasticGrid === undefined ? [exemplars] : [exemplars, options],
    },
    description: 'real exemplars under random affine warps',
    sampleShape: exemplars.sampleShape,
    target: exemplars.target,
    params: {
      rotation: { min: -180, max: 180, default: [-15, 15], description: 'rotation in degrees' },
      scale: { min: 0.25, max: 4, default: [0.9, 1.1], description: 'zoom factor' },
      shear: { min: -60, max: 60, default: [-10, 10], description: 'horizontal shear in degrees' },
      shift: { min: 0, max: 14, default: 2, description: 'largest shift in pixels along each axis' },
      elastic: {
        min: 0,
        max: 6,
        default: 0,
        description: `largest move in pixels of each point of a ${elasticGrid}x${elasticGrid} lattice (smooth elastic warp)`,
      },
      deformation: deformations
        ? { min: 0, max: 4, default: 0, description: `a learnt deformation of the ${deformations.byExemplar ? 'exemplar' : 'class'}, times this factor` }
        : { min: 0, max: 0, default: 0, description: 'a learnt deformation of the class, times this factor: needs exemplarTask options.deformations' },
      thickness: { min: -1, max: 1, default: 0, description: 'stroke thickness change: > 0 thickens, < 0 thins (1: a pixel each side)' },
    },
    render(rng, p, out, offset, label) {
      const list = byClass[label];
      const src = list[list.length === 1 ? 0 : rng.int(list.length)];
      warp.rotation = p.rotation;
      warp.scale = p.scale;
      warp.shear = p.shear;
      warp.shiftX = rng.uniform(-p.shift, p.shift);
      warp.shiftY = rng.uniform(-p.shift, p.shift);
      if (p.elastic > 0) elasticField(rng, p.elastic, elasticGrid, h, w, control, field);
      let displacement = p.elastic > 0 ? field : undefined;
      if (deformations && p.deformation > 0) {
        const g = deformations.grid,
          size = 2 * g * g,
          lattices = deformations.lists[deformations.byExemplar ? src : label];
        latticeField(lattices, rng.int(lattices.length / size) * size, 'pairs', g, h, w, p.deformation, moved);
        if (displacement)
          for (let i = 0; i < n; i++) {
            moved.dx[i] += field.dx[i];
            moved.dy[i] += field.dy[i];
          }
        displacement = moved;
      }
      if (p.thickness === 0) {
        affineWarp(exemplars.x, src * n, h, w, warp, out, offset, displacement);
      } else {
        affineWarp(exemplars.x, src * n, h, w, warp, warped, 0, displacement);
        changeThickness(warped, h, w, p.thickness, out, offset);
      }
      return label;
    },
  });
}

/**
 * `d`'s lattice lists, one per class or per exemplar (`byExemplar`), when it
 * fits images of height x width and the classes (or the exemplars), else a
 * typed error saying how it does not.
 */
function checkDeformations(
  d: Deformations | ExemplarDeformations,
  h: number,
  w: number,
  classes: number,
  exemplarCount: number,
): { grid: number; lists: readonly Float32Array[]; byExemplar: boolean } {
  const name = 'exemplarTask options.deformations';
  const byExemplar = typeof d === 'object' && d !== null && 'byExemplar' in d;
  const lists: unknown = byExemplar ? (d as ExemplarDeformations).byExemplar : (d as Deformations | null)?.byClass;
  if (typeof d !== 'object' || d === null || !Array.isArray(lists))
    throw new OtfgenArgumentError(name, `expected what learnDeformations or learnExemplarDeformations returns, got ${describe(d)}`);
  if (d.height !== h || d.width !== w) throw new OtfgenArgumentError(name, `learnt on ${d.height}x${d.width} images; the exemplars are ${h}x${w}`);
  checkInt(`${name}.grid`, d.grid, 2, 14);
  if (byExemplar && lists.length !== exemplarCount)
    throw new OtfgenArgumentError(
      name,
      `has ${lists.length} exemplars; the task has ${exemplarCount} (learnExemplarDeformations over these exemplars gives one list each)`,
    );
  if (!byExemplar && lists.length !== classes) throw new OtfgenArgumentError(name, `has ${lists.length} classes; the exemplars have ${classes}`);
  const size = 2 * d.grid * d.grid;
  lists.forEach((lattices, i) => {
    if (!(lattices instanceof Float32Array) || lattices.length === 0 || lattices.length % size !== 0) {
      throw new OtfgenArgumentError(
        `${name}.${byExemplar ? 'byExemplar' : 'byClass'}[${i}]`,
        `expected a Float32Array of one or more lattices of ${size} numbers, got ${describe(lattices)}`,
      );
    }
  });
  return { grid: d.grid, lists: lists as Float32Array[], byExemplar };
}

/**
 * Grey-level dilation (t > 0) or erosion (t < 0) of an h x w image by the
 * 5-pixel cross (a pixel and its 4 neighbours; outside the image counts as 0),
 * blended with the image by |t|: out = (1 - |t|) img + |t| morph(img). Our
 * own loop: it runs for every sample drawn with a thickness change.
 */
function changeThickness(img: Float32Array, h: number, w: number, t: number, out: Float32Array, offset: number): void {
  const a = Math.abs(t);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const v = img[i];
      const l = x > 0 ? img[i - 1] : 0,
        r = x + 1 < w ? img[i + 1] : 0,
        u = y > 0 ? img[i - w] : 0,
        d = y + 1 < h ? img[i + w] : 0;
      const m = t > 0 ? Math.max(v, l, r, u, d) : Math.min(v, l, r, u, d);
      out[offset + i] = (1 - a) * v + a * m;
    }
  }
}
