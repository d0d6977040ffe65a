import { describe, expect, it } from 'vitest';
import { throughputChart } from '../benchmarks/study/cli/bench.js';
import { renderChart } from '../src/cli/plots.js';

/** Each bar's width in the rendered SVG, by its aria label's name. */
function barWidths(svg: string): Map<string, number> {
  const widths = new Map<string, number>();
  for (const m of svg.matchAll(/aria-label="samples\/s: [^;"]*; name: ([^"]*)"[^>]*aria-roledescription="bar" d="M[-\d.e]+,[-\d.e]+h([-\d.e]+)v/g))
    widths.set(m[1], Number(m[2]));
  return widths;
}

describe('throughput chart', () => {
  it('draws a bar per batch-64 source, longer for faster sources, on its log axis', async () => {
    const results = [
      { name: 'slow', batchSize: 64, samplesPerSecond: 2_000 },
      { name: 'middle', batchSize: 64, samplesPerSecond: 100_000 },
      { name: 'fast', batchSize: 64, samplesPerSecond: 3_000_000 },
      { name: 'other batch', batchSize: 1024, samplesPerSecond: 50_000 },
    ];
    const { svg } = await renderChart(throughputChart(results));
    const w = barWidths(svg);
    expect([...w.keys()].sort()).toEqual(['fast', 'middle', 'slow']);
    expect(w.get('slow')!).toBeGreaterThan(0);
    expect(w.get('middle')!).toBeGreaterThan(w.get('slow')!);
    expect(w.get('fast')!).toBeGreaterThan(w.get('middle')!);
    // A log axis: equal ratios, equal lengths (2,000 -> 100,000 is 50x; 100,000 -> 3,000,000 is 30x).
    const perDecade = (w.get('fast')! - w.get('middle')!) / Math.log10(30);
    expect((w.get('middle')! - w.get('slow')!) / Math.log10(50)).toBeCloseTo(perDecade, 0);
  });
});
