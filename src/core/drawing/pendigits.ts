/**
 * The UCI pen-based digits (UNIPEN text): real digits people wrote on a
 * tablet, as pen strokes in a 500x500 box with y pointing up. Used to replay
 * real handwriting on the drawing pad.
 */

export interface PenPoint {
  x: number;
  y: number;
}

export interface PenDigit {
  label: number;
  writer: number;
  /** Index in the file, for reporting. */
  index: number;
  strokes: PenPoint[][];
}

export const PEN_BOX = 500;

export function parseUnipen(text: string): PenDigit[] {
  const digits: PenDigit[] = [];
  let current: PenDigit | null = null;
  let stroke: PenPoint[] | null = null;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (!line) continue;
    if (line.startsWith('.SEGMENT')) {
      const m = line.match(/^\.SEGMENT\s+DIGIT\s+\S+\s+\S+\s+"(\d)"/);
      if (!m) throw new Error(`line ${n + 1}: cannot read segment "${line}"`);
      current = { label: Number(m[1]), writer: -1, index: digits.length, strokes: [] };
      digits.push(current);
    } else if (line.startsWith('.COMMENT')) {
      const parts = line.split(/\s+/);
      if (current && parts.length >= 3) {
        if (Number(parts[1]) !== current.label) throw new Error(`line ${n + 1}: comment label ${parts[1]} differs from segment label ${current.label}`);
        current.writer = Number(parts[2]);
      }
    } else if (line === '.PEN_DOWN') {
      if (!current) throw new Error(`line ${n + 1}: pen down outside a digit`);
      stroke = [];
    } else if (line === '.PEN_UP') {
      if (stroke && stroke.length) current!.strokes.push(stroke);
      stroke = null;
    } else if (stroke && /^-?\d+\s+-?\d+$/.test(line)) {
      const [x, y] = line.split(/\s+/).map(Number);
      stroke.push({ x, y });
    }
  }
  return digits.filter((d) => d.strokes.length > 0);
}

/** Maps pen coordinates (500x500, y up) onto a square pad of `size` pixels (y down). */
export function toPad(p: PenPoint, size: number): PenPoint {
  return { x: (p.x * size) / PEN_BOX, y: ((PEN_BOX - p.y) * size) / PEN_BOX };
}

/** A fixed, spread-out sample: the first `perClass` digits of each class in file order. */
export function samplePerClass(digits: PenDigit[], perClass: number): PenDigit[] {
  const counts = new Array(10).fill(0);
  return digits.filter((d) => counts[d.label] < perClass && ++counts[d.label] > 0);
}
