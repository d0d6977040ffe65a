/**
 * Charts as SVG and PNG: vega-lite specs rendered by vega (no browser), PNG by
 * resvg. The three are optional peers, loaded on the first chart: without
 * them charts are skipped with a one-line hint, and results files are written
 * all the same.
 */
import { writeFile } from 'node:fs/promises';
import type { TopLevelSpec } from 'vega-lite';
import { OtfgenError } from '../core/errors.js';
import type { SummaryPoint } from '../harness/summarise.js';

/** The plotting peers, as an install command names them. */
export const PLOTTING_PEERS = 'vega vega-lite @resvg/resvg-js';

type Renderer = (spec: TopLevelSpec) => Promise<{ svg: string; png: Uint8Array }>;
let renderer: Promise<Renderer | null> | null = null;
let hinted = false;

async function loadRenderer(): Promise<Renderer | null> {
  try {
    const [vega, vl, { Resvg }] = await Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]);
    return async (spec) => {
      const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
      try {
        const svg = await view.toSVG();
        const png = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 } }).render().asPng();
        return { svg, png };
      } finally {
        view.finalize();
      }
    };
  } catch {
    return null;
  }
}

/** Whether charts can be drawn here (the plotting peers are installed). */
export async function canPlot(): Promise<boolean> {
  renderer ??= loadRenderer();
  return (await renderer) !== null;
}

/** Renders a vega-lite spec to SVG text and PNG bytes (2x scale, white background); needs the plotting peers. */
export async function renderChart(spec: TopLevelSpec): Promise<{ svg: string; png: Uint8Array }> {
  renderer ??= loadRenderer();
  const render = await renderer;
  if (!render) throw new OtfgenError('ERR_DEPENDENCY', `charts need the optional peers: npm install ${PLOTTING_PEERS}`);
  return render(spec);
}

/**
 * Writes `<base>.svg` and `<base>.png` and returns their paths; without the
 * plotting peers, writes nothing, says once what to install, and returns [].
 */
export async function writeChart(base: string, spec: TopLevelSpec): Promise<string[]> {
  renderer ??= loadRenderer();
  const render = await renderer;
  if (!render) {
    if (!hinted) console.error(`otfgen: charts skipped (results files are written); to draw them: npm install ${PLOTTING_PEERS}`);
    hinted = true;
    return [];
  }
  const { svg, png } = await render(spec);
  await writeFile(`${base}.svg`, svg);
  await writeFile(`${base}.png`, png);
  return [`${base}.svg`, `${base}.png`];
}

/** A line chart of means with a min..max band, one line per series, and optional rules (e.g. a baseline). */
export function lineWithBand(opts: {
  title: string;
  xTitle: string;
  yTitle: string;
  points: readonly SummaryPoint[];
  rules?: { y: number; label: string }[];
  xScale?: 'linear' | 'log';
  yScale?: 'linear' | 'log';
}): TopLevelSpec {
  const color = { field: 'series', type: 'nominal', title: null } as const;
  const x = { field: 'x', type: 'quantitative', title: opts.xTitle, scale: { type: opts.xScale ?? 'linear' } } as const;
  const layers: object[] = [
    {
      mark: { type: 'area', opacity: 0.2 },
      encoding: { x, y: { field: 'min', type: 'quantitative', scale: { type: opts.yScale ?? 'linear', zero: false } }, y2: { field: 'max' }, color },
    },
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
