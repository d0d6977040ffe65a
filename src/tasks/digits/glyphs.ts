/**
 * The digits' skeletons: for each digit, writing styles made of strokes in a
 * unit box (x right, y down, both 0..1). A smooth stroke is a Catmull-Rom
 * spline through its points (a repeated point makes a corner); a straight one
 * is a polyline. No fonts: these are pen paths.
 */

export interface StrokeDef {
  readonly points: readonly (readonly [number, number])[];
  readonly smooth: boolean;
}

export interface GlyphStyle {
  readonly name: string;
  readonly strokes: readonly StrokeDef[];
}

const spline = (...points: [number, number][]): StrokeDef => ({ points, smooth: true });
const line = (...points: [number, number][]): StrokeDef => ({ points, smooth: false });

/** GLYPHS[d] lists the styles of digit d. */
export const GLYPHS: readonly (readonly GlyphStyle[])[] = [
  [
    { name: 'oval', strokes: [spline([0.5, 0], [0.88, 0.28], [0.86, 0.74], [0.5, 1], [0.14, 0.74], [0.12, 0.28], [0.5, 0], [0.88, 0.28])] },
    { name: 'oval with overlap', strokes: [spline([0.62, 0.08], [0.35, 0.02], [0.14, 0.35], [0.2, 0.82], [0.5, 1], [0.82, 0.78], [0.85, 0.3], [0.55, 0], [0.4, 0.08])] },
    { name: 'slim', strokes: [spline([0.55, 0], [0.8, 0.2], [0.78, 0.8], [0.45, 1], [0.22, 0.8], [0.22, 0.2], [0.55, 0], [0.8, 0.2])] },
  ],
  [
    { name: 'stick', strokes: [line([0.5, 0], [0.5, 1])] },
    { name: 'flag', strokes: [line([0.22, 0.22], [0.52, 0], [0.5, 1])] },
    { name: 'flag and base', strokes: [line([0.22, 0.22], [0.52, 0], [0.5, 1]), line([0.2, 1], [0.8, 1])] },
  ],
  [
    { name: 'swan', strokes: [spline([0.1, 0.28], [0.35, 0.02], [0.72, 0.04], [0.86, 0.3], [0.62, 0.6], [0.1, 1], [0.1, 1]), line([0.1, 1], [0.95, 0.98])] },
    { name: 'looped', strokes: [spline([0.12, 0.25], [0.4, 0.02], [0.78, 0.1], [0.8, 0.38], [0.45, 0.72], [0.2, 0.95], [0.15, 0.8], [0.35, 0.78], [0.6, 0.98], [0.95, 0.95])] },
    { name: 'round base', strokes: [spline([0.12, 0.22], [0.45, 0], [0.82, 0.15], [0.75, 0.45], [0.3, 0.8], [0.12, 0.98], [0.5, 0.94], [0.92, 1])] },
  ],
  [
    { name: 'two bowls', strokes: [spline([0.12, 0.12], [0.5, 0], [0.82, 0.16], [0.76, 0.4], [0.42, 0.5], [0.42, 0.5], [0.8, 0.6], [0.86, 0.85], [0.5, 1], [0.1, 0.88])] },
    { name: 'flat top', strokes: [line([0.12, 0.02], [0.85, 0], [0.42, 0.42]), spline([0.42, 0.42], [0.8, 0.52], [0.88, 0.8], [0.52, 1], [0.1, 0.88])] },
  ],
  [
    { name: 'closed', strokes: [line([0.72, 1], [0.72, 0], [0.05, 0.66], [0.95, 0.66])] },
    { name: 'open', strokes: [line([0.15, 0], [0.1, 0.6], [0.95, 0.6]), line([0.72, 0.12], [0.72, 1])] },
  ],
  [
    { name: 'hooked', strokes: [line([0.85, 0], [0.22, 0], [0.16, 0.45]), spline([0.16, 0.45], [0.5, 0.36], [0.86, 0.6], [0.8, 0.9], [0.45, 1], [0.08, 0.88])] },
    { name: 'separate top', strokes: [line([0.24, 0.02], [0.85, 0]), line([0.24, 0.02], [0.16, 0.46]), spline([0.16, 0.46], [0.55, 0.4], [0.87, 0.66], [0.7, 0.96], [0.3, 0.98], [0.1, 0.84])] },
  ],
  [
    { name: 'curled', strokes: [spline([0.78, 0], [0.42, 0.18], [0.16, 0.55], [0.2, 0.9], [0.5, 1], [0.82, 0.85], [0.8, 0.6], [0.5, 0.5], [0.2, 0.66])] },
    { name: 'straight back', strokes: [spline([0.65, 0], [0.32, 0.35], [0.16, 0.72], [0.35, 1], [0.72, 0.95], [0.82, 0.7], [0.52, 0.54], [0.2, 0.7])] },
  ],
  [
    { name: 'plain', strokes: [line([0.08, 0], [0.92, 0], [0.42, 1])] },
    { name: 'barred', strokes: [line([0.08, 0], [0.92, 0], [0.42, 1]), line([0.32, 0.52], [0.86, 0.5])] },
    { name: 'curved stem', strokes: [line([0.08, 0.04], [0.92, 0]), spline([0.92, 0], [0.92, 0], [0.62, 0.42], [0.46, 1])] },
    { name: 'serif', strokes: [line([0.1, 0.24], [0.08, 0.02], [0.9, 0], [0.45, 1])] },
  ],
  [
    { name: 'figure eight', strokes: [spline([0.5, 0.5], [0.8, 0.25], [0.5, 0], [0.2, 0.25], [0.5, 0.5], [0.85, 0.76], [0.5, 1], [0.15, 0.76], [0.5, 0.5], [0.8, 0.25])] },
    { name: 'two loops', strokes: [spline([0.5, 0], [0.78, 0.22], [0.5, 0.46], [0.22, 0.22], [0.5, 0], [0.78, 0.22]), spline([0.5, 0.46], [0.88, 0.72], [0.5, 1], [0.12, 0.72], [0.5, 0.46], [0.88, 0.72])] },
    { name: 'one stroke', strokes: [spline([0.75, 0.12], [0.5, 0], [0.22, 0.15], [0.32, 0.38], [0.68, 0.6], [0.8, 0.84], [0.5, 1], [0.2, 0.84], [0.32, 0.6], [0.68, 0.38], [0.78, 0.14], [0.6, 0.02])] },
  ],
  [
    { name: 'straight tail', strokes: [spline([0.8, 0.22], [0.5, 0.46], [0.18, 0.3], [0.45, 0], [0.8, 0.22], [0.8, 0.22]), line([0.8, 0.22], [0.75, 1])] },
    { name: 'curved tail', strokes: [spline([0.8, 0.25], [0.5, 0.46], [0.18, 0.28], [0.48, 0], [0.8, 0.25], [0.78, 0.65], [0.55, 1], [0.22, 0.92])] },
    { name: 'stem from the top', strokes: [spline([0.82, 0.14], [0.52, 0], [0.18, 0.18], [0.3, 0.44], [0.7, 0.38], [0.82, 0.14]), line([0.82, 0.08], [0.8, 1])] },
    { name: 'hooked tail', strokes: [spline([0.82, 0.2], [0.5, 0.44], [0.2, 0.26], [0.5, 0], [0.82, 0.2], [0.82, 0.2]), spline([0.82, 0.2], [0.82, 0.2], [0.78, 0.8], [0.6, 1], [0.4, 0.95])] },
  ],
];

/** The most styles any digit has (the length of the styleWeights parameter). */
export const MAX_STYLES = Math.max(...GLYPHS.map((g) => g.length));
