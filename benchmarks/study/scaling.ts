/**
 * The data-efficiency question: final test error against the number of
 * distinct real training images, with and without a synthetic warm-up, each
 * curve fitted by error = a * N^-b + c, and the warm-up's effective data
 * multiplier: how many times more real images the run without warm-up needs
 * to reach the same error.
 */
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { writeJsonAtomic } from '../../src/node/writers/atomic-file.js';
import { writeChart } from '../../src/cli/plots.js';
import { summarise } from '../../src/harness/summarise.js';
import { BASELINE, type SweepResults, type SweepRow } from '../../src/harness/sweep.js';
import type { WarmupBlend } from '../../src/stream/warmup.js';

export interface PowerLawFit {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  /** Root mean square error of the fit on the points it was fitted to. */
  readonly rmse: number;
}

/** error(N) of a fit. */
export const powerLaw = (f: PowerLawFit, n: number): number => f.a * Math.pow(n, -f.b) + f.c;

/**
 * Fits error = a N^-b + c by Levenberg-Marquardt (ml-levenberg-marquardt),
 * from a few starting exponents, keeping the best. a >= 0, 0 < b <= 2, c >= 0.
 * @example
 * ```ts
 * const fit = await fitPowerLaw([100, 1000, 10000], [0.3, 0.1, 0.04]);
 * ```
 */
export async function fitPowerLaw(n: readonly number[], err: readonly number[]): Promise<PowerLawFit> {
  // ESM-only package: imported here so the CommonJS build never requires it.
  const { levenbergMarquardt } = await import('ml-levenberg-marquardt');
  let best: PowerLawFit | null = null;
  for (const b0 of [0.2, 0.5, 1]) {
    const c0 = Math.min(...err) / 2;
    const a0 = Math.max((err[0] - c0) * Math.pow(n[0], b0), 1e-6);
    const r = levenbergMarquardt(
      { x: n, y: err },
      ([a, b, c]) =>
        (x: number) =>
          a * Math.pow(x, -b) + c,
      { initialValues: [a0, b0, c0], minValues: [0, 0.01, 0], maxValues: [1e6, 2, 1], maxIterations: 500, damping: 1e-2, errorTolerance: 1e-12 },
    );
    const [a, b, c] = r.parameterValues;
    const rmse = Math.sqrt(n.reduce((s, x, i) => s + (a * Math.pow(x, -b) + c - err[i]) ** 2, 0) / n.length);
    if (!best || rmse < best.rmse) best = { a, b, c, rmse };
  }
  return best!;
}

/**
 * Real images the no-warm-up curve needs to reach `error`, over `n` (the
 * effective data multiplier); Infinity when `error` is below that curve's floor c.
 */
export function dataMultiplier(baseline: PowerLawFit, error: number, n: number): number {
  if (error <= baseline.c) return Infinity;
  return Math.pow((error - baseline.c) / baseline.a, -1 / baseline.b) / n;
}

export interface ScalingPoint {
  readonly arm: string;
  readonly realImages: number;
  readonly error: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export interface ScalingSummary {
  readonly task: string;
  readonly share: number;
  readonly points: readonly ScalingPoint[];
  readonly fits: { readonly withoutWarmup: PowerLawFit; readonly withWarmup: PowerLawFit };
  readonly multipliers: readonly { readonly realImages: number; readonly multiplier: number | null }[];
}

/** How a scaling run's warm-up arm is named: 'digits warm-up 30%', and the blend when it is not a switch. */
export function warmupLabel(task: string, share: number, blend: WarmupBlend = 'switch'): string {
  return `${task} warm-up ${Math.round(share * 100)}%${blend === 'switch' ? '' : `, ${blend} blend`}`;
}

/** Mean final test error per arm and N, the fits, and the multipliers. */
export async function summariseScaling(results: SweepResults, task: string, share: number): Promise<ScalingSummary> {
  const arms = { withoutWarmup: 'no warm-up', withWarmup: warmupLabel(task, share, results.config.blend) };
  const armOf = (r: SweepRow) => (r.task === BASELINE && r.share === 0 ? arms.withoutWarmup : r.task === task && r.share === share ? arms.withWarmup : null);
  const rows = results.rows.filter((r) => armOf(r) !== null && r.realImages !== undefined && r.totalSteps === results.config.totalSteps);
  const points: ScalingPoint[] = summarise(
    rows,
    (r) => armOf(r)!,
    (r) => r.realImages!,
    (r) => 1 - r.finalAccuracy,
  ).map((g) => ({
    arm: g.series,
    realImages: g.x,
    error: g.mean,
    min: g.min,
    max: g.max,
    runs: g.n,
  }));
  const fitArm = (arm: string) => {
    const ps = points.filter((p) => p.arm === arm);
    return fitPowerLaw(
      ps.map((p) => p.realImages),
      ps.map((p) => p.error),
    );
  };
  const fits = { withoutWarmup: await fitArm(arms.withoutWarmup), withWarmup: await fitArm(arms.withWarmup) };
  // From the two fitted curves, not a measured point against a fitted curve: the
  // fits smooth the seed noise, and comparing like with like keeps the sign honest.
  const multipliers = points
    .filter((p) => p.arm === arms.withWarmup)
    .map((p) => {
      const m = dataMultiplier(fits.withoutWarmup, powerLaw(fits.withWarmup, p.realImages), p.realImages);
      return { realImages: p.realImages, multiplier: Number.isFinite(m) ? +m.toFixed(2) : null };
    });
  return { task, share, points, fits, multipliers };
}

/** Writes scaling.json and, unless `charts` is false, scaling.svg/png (log-log, points with min..max, fitted curves). */
export async function writeScalingOutputs(summary: ScalingSummary, outDir: string, { charts = true }: { charts?: boolean } = {}): Promise<string[]> {
  await writeJsonAtomic(join(outDir, 'scaling.json'), summary);
  if (!charts) return [join(outDir, 'scaling.json')];
  const ns = summary.points.map((p) => p.realImages);
  const lo = Math.min(...ns),
    hi = Math.max(...ns);
  const curve: { arm: string; realImages: number; error: number }[] = [];
  const armNames = [...new Set(summary.points.map((p) => p.arm))];
  for (const arm of armNames) {
    const fit = arm === 'no warm-up' ? summary.fits.withoutWarmup : summary.fits.withWarmup;
    for (let i = 0; i <= 60; i++) {
      const n = lo * Math.pow(hi / lo, i / 60);
      curve.push({ arm, realImages: n, error: powerLaw(fit, n) });
    }
  }
  const x = { field: 'realImages', type: 'quantitative', title: 'distinct real training images', scale: { type: 'log' } } as const;
  const y = { field: 'error', type: 'quantitative', title: 'final test error', scale: { type: 'log' } } as const;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Test error vs real data, with and without a synthetic warm-up (dashed: power-law fits)',
    width: 480,
    height: 300,
    layer: [
      { data: { values: curve }, mark: { type: 'line', strokeDash: [4, 3] }, encoding: { x, y, color: { field: 'arm', type: 'nominal', title: null } } },
      {
        data: { values: summary.points },
        mark: { type: 'rule' },
        encoding: {
          x,
          y: { field: 'min', type: 'quantitative', scale: { type: 'log' } },
          y2: { field: 'max' },
          color: { field: 'arm', type: 'nominal', title: null },
        },
      },
      {
        data: { values: summary.points },
        mark: { type: 'point', filled: true, size: 60 },
        encoding: { x, y, color: { field: 'arm', type: 'nominal', title: null } },
      },
    ],
  } as unknown as TopLevelSpec;
  return [join(outDir, 'scaling.json'), ...(await writeChart(join(outDir, 'scaling'), spec))];
}
