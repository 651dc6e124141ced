/** Builds small IDX files in memory for tests. */
export function idxImages(count: number, fill: (i: number, p: number) => number = () => 0, rows = 28, cols = 28): Uint8Array {
  const out = new Uint8Array(16 + count * rows * cols);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x803);
  v.setUint32(4, count);
  v.setUint32(8, rows);
  v.setUint32(12, cols);
  for (let i = 0; i < count; i++) for (let p = 0; p < rows * cols; p++) out[16 + i * rows * cols + p] = fill(i, p);
  return out;
}

export function idxLabels(labels: number[]): Uint8Array {
  const out = new Uint8Array(8 + labels.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x801);
  v.setUint32(4, labels.length);
  out.set(labels, 8);
  return out;
}
