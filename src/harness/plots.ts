/** Charts as SVG and PNG: vega-lite specs rendered by vega (no browser), PNG by resvg. */
import { Resvg } from '@resvg/resvg-js';
import { writeFile } from 'node:fs/promises';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

/** Renders a vega-lite spec to SVG text and PNG bytes (2x scale, white background). */
export async function renderChart(spec: TopLevelSpec): Promise<{ svg: string; png: Uint8Array }> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const png = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 } }).render().asPng();
    return { svg, png };
  } finally {
    view.finalize();
  }
}

/** Writes `<base>.svg` and `<base>.png`; returns their paths. */
export async function writeChart(base: string, spec: TopLevelSpec): Promise<string[]> {
  const { svg, png } = await renderChart(spec);
  await writeFile(`${base}.svg`, svg);
  await writeFile(`${base}.png`, png);
  return [`${base}.svg`, `${base}.png`];
}

/** Mean and spread (min..max over seeds) of `field` per (series, x), for line-with-band charts. */
export function summarise<T>(rows: readonly T[], series: (r: T) => string, x: (r: T) => number, y: (r: T) => number) {
  const groups = new Map<string, { series: string; x: number; ys: number[] }>();
  for (const r of rows) {
    const k = `${series(r)}\0${x(r)}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { series: series(r), x: x(r), ys: [] }));
    g.ys.push(y(r));
  }
  return [...groups.values()]
    .map((g) => ({ series: g.series, x: g.x, mean: g.ys.reduce((a, b) => a + b, 0) / g.ys.length, min: Math.min(...g.ys), max: Math.max(...g.ys), n: g.ys.length }))
    .sort((a, b) => a.series.localeCompare(b.series) || a.x - b.x);
}

/** A line chart of means with a min..max band, one line per series, and optional rules (e.g. a baseline). */
export function lineWithBand(opts: {
  title: string;
  xTitle: string;
  yTitle: string;
  points: ReturnType<typeof summarise>;
  rules?: { y: number; label: string }[];
  xScale?: 'linear' | 'log';
  yScale?: 'linear' | 'log';
}): TopLevelSpec {
  const color = { field: 'series', type: 'nominal', title: null } as const;
  const x = { field: 'x', type: 'quantitative', title: opts.xTitle, scale: { type: opts.xScale ?? 'linear' } } as const;
  const layers: object[] = [
    { mark: { type: 'area', opacity: 0.2 }, encoding: { x, y: { field: 'min', type: 'quantitative', scale: { type: opts.yScale ?? 'linear', zero: false } }, y2: { field: 'max' }, color } },
    { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: opts.yTitle }, color } },
  ];
  if (opts.rules?.length) {
    layers.push({
      data: { values: opts.rules },
      mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' },
      encoding: { y: { field: 'y', type: 'quantitative' } },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: opts.title,
    width: 480,
    height: 280,
    data: { values: opts.points },
    layer: layers,
  } as TopLevelSpec;
}
