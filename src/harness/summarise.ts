/** Mean and spread over seeds, per series and x: the numbers behind tables and line-with-band charts. */

/** One point of a summary: the mean, min and max of the rows at (series, x), and how many there were. */
export interface SummaryPoint {
  readonly series: string;
  readonly x: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

/** Mean and spread (min..max over seeds) of `y` per (series, x), sorted by series then x. */
export function summarise<T>(rows: readonly T[], series: (r: T) => string, x: (r: T) => number, y: (r: T) => number): SummaryPoint[] {
  const groups = new Map<string, { series: string; x: number; ys: number[] }>();
  for (const r of rows) {
    const k = `${series(r)}\0${x(r)}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { series: series(r), x: x(r), ys: [] }));
    g.ys.push(y(r));
  }
  return [...groups.values()]
    .map((g) => ({
      series: g.series,
      x: g.x,
      mean: g.ys.reduce((a, b) => a + b, 0) / g.ys.length,
      min: Math.min(...g.ys),
      max: Math.max(...g.ys),
      n: g.ys.length,
    }))
    .sort((a, b) => a.series.localeCompare(b.series) || a.x - b.x);
}
