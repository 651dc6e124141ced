/**
 * Drawings that are not digits, to measure whether the pad can tell: letters,
 * shapes, scribbles and lines, as strokes on the pad (280x280, y down). Each
 * kind is a template in a unit box, drawn many times with a seeded hand: a
 * random size, place, aspect, slant and rotation, a slow wobble along the
 * stroke and a little jitter, so no two are alike and every run makes the same set.
 */
import { makeRng, uniform, type Rng } from '../train/rng';
import type { PenPoint } from './pendigits';
import { PAD_SIZE } from './strokeRaster';

export type NonDigitCategory = 'letter' | 'shape' | 'scribble' | 'line';

export interface NonDigit {
  kind: string;
  category: NonDigitCategory;
  strokes: PenPoint[][];
}

type Stroke = [number, number][];
type Template = (rng: Rng) => Stroke[];

/** Pad pixels kept free on each side. */
const EDGE = 10;

/** An ellipse (or part of one) centred at (cx, cy), from angle a0 to a1 (turns). */
function arc(cx: number, cy: number, rx: number, ry: number, a0 = 0, a1 = 1, n = 36): Stroke {
  return Array.from({ length: n + 1 }, (_, i) => {
    const a = 2 * Math.PI * (a0 + ((a1 - a0) * i) / n);
    return [cx + rx * Math.cos(a), cy + ry * Math.sin(a)];
  });
}

/** A closed loop that starts anywhere and overshoots a little, as a hand does. */
const loop = (rng: Rng, cx = 0.5, cy = 0.5, r = 0.5): Stroke => {
  const a0 = rng();
  return arc(cx, cy, r, r * uniform(rng, 0.85, 1.15), a0, a0 + uniform(rng, 1, 1.12));
};

const LETTERS: Record<string, Template> = {
  A: () => [[[0.1, 1], [0.5, 0], [0.9, 1]], [[0.28, 0.62], [0.72, 0.62]]],
  B: () => [
    [[0.2, 0], [0.2, 1]],
    [[0.2, 0], [0.6, 0], [0.76, 0.12], [0.76, 0.36], [0.6, 0.48], [0.2, 0.48]],
    [[0.2, 0.48], [0.66, 0.48], [0.84, 0.62], [0.84, 0.88], [0.66, 1], [0.2, 1]],
  ],
  E: () => [[[0.8, 0], [0.2, 0], [0.2, 1], [0.8, 1]], [[0.2, 0.5], [0.65, 0.5]]],
  H: () => [[[0.2, 0], [0.2, 1]], [[0.8, 0], [0.8, 1]], [[0.2, 0.5], [0.8, 0.5]]],
  K: () => [[[0.2, 0], [0.2, 1]], [[0.8, 0], [0.22, 0.55], [0.85, 1]]],
  M: () => [[[0.05, 1], [0.1, 0], [0.5, 0.65], [0.9, 0], [0.95, 1]]],
  R: () => [[[0.2, 1], [0.2, 0], [0.6, 0], [0.8, 0.14], [0.8, 0.34], [0.6, 0.48], [0.2, 0.48], [0.8, 1]]],
  S: () => [[[0.85, 0.1], [0.5, 0], [0.15, 0.12], [0.2, 0.36], [0.5, 0.5], [0.82, 0.64], [0.85, 0.9], [0.5, 1], [0.15, 0.9]]],
  W: () => [[[0, 0], [0.25, 1], [0.5, 0.35], [0.75, 1], [1, 0]]],
  X: () => [[[0.1, 0], [0.9, 1]], [[0.9, 0], [0.1, 1]]],
};

const SHAPES: Record<string, Template> = {
  'circle with a cross': (rng) => [loop(rng), [[0.5, 0], [0.5, 1]], [[0, 0.5], [1, 0.5]]],
  'circle with a dot': (rng) => [loop(rng), arc(0.5, 0.5, 0.06, 0.06)],
  'two circles': (rng) => [loop(rng), loop(rng, 0.5, 0.5, 0.25)],
  'crossed-out circle': (rng) => [loop(rng), [[0.05, 0.95], [0.95, 0.05]]],
  square: () => [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
  triangle: () => [[[0.5, 0], [1, 0.9], [0, 0.9], [0.5, 0]]],
  star: () => [Array.from({ length: 6 }, (_, i): [number, number] => {
    const a = -Math.PI / 2 + (i * 4 * Math.PI) / 5;
    return [0.5 + 0.5 * Math.cos(a), 0.52 + 0.5 * Math.sin(a)];
  })],
  spiral: (rng) => {
    const turns = uniform(rng, 2.2, 3.2);
    return [Array.from({ length: 80 }, (_, i): [number, number] => {
      const t = i / 79;
      const a = 2 * Math.PI * turns * t;
      return [0.5 + 0.5 * t * Math.cos(a), 0.5 + 0.5 * t * Math.sin(a)];
    })];
  },
  // The classic heart curve, from its bottom point round both lobes.
  heart: () => [Array.from({ length: 49 }, (_, i): [number, number] => {
    const t = Math.PI + (2 * Math.PI * i) / 48;
    return [0.5 + Math.sin(t) ** 3 / 2, 0.45 - (13 * Math.cos(t) - 5 * Math.cos(2 * t) - 2 * Math.cos(3 * t) - Math.cos(4 * t)) / 34];
  })],
  arrow: () => [[[0, 0.5], [1, 0.5]], [[0.7, 0.2], [1, 0.5], [0.7, 0.8]]],
  hash: () => [[[0.35, 0], [0.3, 1]], [[0.7, 0], [0.65, 1]], [[0, 0.33], [1, 0.33]], [[0, 0.67], [1, 0.67]]],
  smiley: (rng) => [loop(rng), arc(0.35, 0.35, 0.04, 0.04), arc(0.65, 0.35, 0.04, 0.04), arc(0.5, 0.55, 0.25, 0.18, 0.05, 0.45)],
};

const SCRIBBLES: Record<string, Template> = {
  scribble: (rng) => [Array.from({ length: 12 + Math.floor(rng() * 12) }, (): [number, number] => [rng(), rng()])],
  hatching: (rng) => {
    const n = 5 + Math.floor(rng() * 5);
    return [Array.from({ length: 2 * n }, (_, i): [number, number] => [i % 2, (Math.floor(i / 2) + (i % 2) * 0.5) / n])];
  },
};

const LINES: Record<string, Template> = {
  'horizontal line': () => [[[0, 0.5], [1, 0.5]]],
  'wavy line': () => [Array.from({ length: 40 }, (_, i): [number, number] => [i / 39, 0.5 + 0.15 * Math.sin((i / 39) * 4 * Math.PI)])],
  'equals sign': () => [[[0, 0.35], [1, 0.35]], [[0, 0.65], [1, 0.65]]],
  zigzag: () => [Array.from({ length: 9 }, (_, i): [number, number] => [i / 8, i % 2 ? 0.35 : 0.65])],
};

export const NON_DIGIT_KINDS: { kind: string; category: NonDigitCategory; template: Template }[] = [
  ...Object.entries(LETTERS).map(([kind, template]) => ({ kind: `letter ${kind}`, category: 'letter' as const, template })),
  ...Object.entries(SHAPES).map(([kind, template]) => ({ kind, category: 'shape' as const, template })),
  ...Object.entries(SCRIBBLES).map(([kind, template]) => ({ kind, category: 'scribble' as const, template })),
  ...Object.entries(LINES).map(([kind, template]) => ({ kind, category: 'line' as const, template })),
];

/** Points every `step` units along a polyline, so wobble and jitter act along the whole stroke. */
function resample(stroke: Stroke, step: number): Stroke {
  const out: Stroke = [stroke[0]];
  for (let i = 1; i < stroke.length; i++) {
    const [x0, y0] = stroke[i - 1];
    const [x1, y1] = stroke[i];
    const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / step));
    for (let k = 1; k <= n; k++) out.push([x0 + ((x1 - x0) * k) / n, y0 + ((y1 - y0) * k) / n]);
  }
  return out;
}

/** One drawing of a template by a seeded hand, in pad coordinates, somewhere on the pad. */
export function drawTemplate(template: Template, rng: Rng): PenPoint[][] {
  const size = uniform(rng, 110, 220);
  const sx = size * uniform(rng, 0.8, 1.2);
  const sy = size * uniform(rng, 0.8, 1.2);
  const shear = uniform(rng, -0.2, 0.2);
  const rot = (uniform(rng, -12, 12) * Math.PI) / 180;
  const [cos, sin] = [Math.cos(rot), Math.sin(rot)];
  const wobble = { amp: uniform(rng, 0, 0.03), freq: uniform(rng, 2, 6), phase: uniform(rng, 0, 2 * Math.PI) };
  const strokes = template(rng).map((stroke) =>
    resample(stroke, 0.04).map(([u, v], i) => {
      const w = wobble.amp * Math.sin(wobble.phase + i * 0.04 * wobble.freq * 2 * Math.PI);
      const x = (u - 0.5 + shear * (v - 0.5) + w) * sx;
      const y = (v - 0.5 - w) * sy;
      return { x: cos * x - sin * y + uniform(rng, -1, 1), y: sin * x + cos * y + uniform(rng, -1, 1) };
    }),
  );
  // Shrunk to fit the pad if rotation and slant took it past the edges, then placed anywhere on it.
  const pts = strokes.flat();
  const [x0, x1, y0, y1] = [Math.min(...pts.map((p) => p.x)), Math.max(...pts.map((p) => p.x)), Math.min(...pts.map((p) => p.y)), Math.max(...pts.map((p) => p.y))];
  const room = PAD_SIZE - 2 * EDGE;
  const k = Math.min(1, room / Math.max(x1 - x0, y1 - y0));
  const dx = EDGE + uniform(rng, 0, room - k * (x1 - x0)) - k * x0;
  const dy = EDGE + uniform(rng, 0, room - k * (y1 - y0)) - k * y0;
  return strokes.map((stroke) => stroke.map((p) => ({ x: k * p.x + dx, y: k * p.y + dy })));
}

/** The set: `perKind` drawings of every kind, the same for the same seed. */
export function nonDigitSet(perKind = 20, seed = 1): NonDigit[] {
  return NON_DIGIT_KINDS.flatMap(({ kind, category, template }, k) => {
    const rng = makeRng(seed, k);
    return Array.from({ length: perKind }, () => ({ kind, category, strokes: drawTemplate(template, rng) }));
  });
}
