/**
 * The drawing pad: mouse, touch and pen through pointer events, a round brush
 * sized for MNIST-like strokes, crisp on high-DPI screens. Strokes are kept
 * as point lists so Undo can drop the last one and redraw.
 */
import { useCallback, useEffect, useImperativeHandle, useRef, type Ref } from 'react';
import { PAD_BRUSH, PAD_SIZE } from '../core/drawing/strokeRaster';

type Point = { x: number; y: number };

export interface DrawingPadHandle {
  clear(): void;
  undo(): void;
  /** The pad's pixels (device resolution). */
  image(): ImageData | null;
  /** The finished strokes, in pad pixels. */
  strokes(): Point[][];
}

interface Props {
  onChange: (pad: DrawingPadHandle, strokes: number, changes: number) => void;
  /** A digit key pressed while the pad has focus. */
  onDigit?: (digit: number) => void;
  ref?: Ref<DrawingPadHandle>;
}

export function DrawingPad({ onChange, onDigit, ref }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const strokes = useRef<Point[][]>([]);
  const active = useRef<{ id: number; points: Point[] } | null>(null);
  const handle = useRef<DrawingPadHandle>(null!);
  const changes = useRef(0);

  const ctx = () => canvas.current?.getContext('2d', { willReadFrequently: true }) ?? null;

  const drawStroke = (c: CanvasRenderingContext2D, pts: Point[]) => {
    if (pts.length === 0) return;
    c.beginPath();
    c.moveTo(pts[0].x, pts[0].y);
    if (pts.length === 1) c.lineTo(pts[0].x + 0.01, pts[0].y); // a dot
    // Midpoint quadratic curves smooth the polyline the pointer gives us.
    for (let i = 1; i < pts.length - 1; i++) {
      const mx = (pts[i].x + pts[i + 1].x) / 2;
      const my = (pts[i].y + pts[i + 1].y) / 2;
      c.quadraticCurveTo(pts[i].x, pts[i].y, mx, my);
    }
    if (pts.length > 1) c.lineTo(pts[pts.length - 1].x, pts[pts.length - 1].y);
    c.stroke();
  };

  const redraw = useCallback(() => {
    const c = ctx();
    const el = canvas.current;
    if (!c || !el) return;
    c.setTransform(1, 0, 0, 1, 0, 0);
    c.clearRect(0, 0, el.width, el.height);
    const scale = el.width / PAD_SIZE;
    c.setTransform(scale, 0, 0, scale, 0, 0);
    c.lineCap = 'round';
    c.lineJoin = 'round';
    c.lineWidth = PAD_BRUSH;
    c.strokeStyle = '#111';
    for (const s of strokes.current) drawStroke(c, s);
    if (active.current) drawStroke(c, active.current.points);
  }, []);

  const changed = useCallback(() => {
    // A counter of edits, readable in the DOM, so tests know which drawing a prediction belongs to.
    changes.current++;
    if (canvas.current) canvas.current.dataset.changes = String(changes.current);
    onChange(handle.current, strokes.current.length + (active.current ? 1 : 0), changes.current);
  }, [onChange]);

  handle.current = {
    clear() {
      strokes.current = [];
      active.current = null;
      redraw();
      changed();
    },
    undo() {
      strokes.current = strokes.current.slice(0, -1);
      redraw();
      changed();
    },
    image() {
      const el = canvas.current;
      return el ? ctx()!.getImageData(0, 0, el.width, el.height) : null;
    },
    strokes: () => strokes.current,
  };
  useImperativeHandle(ref, () => handle.current, []);

  useEffect(() => {
    const el = canvas.current!;
    const fit = () => {
      const dpr = Math.min(3, window.devicePixelRatio || 1);
      const px = Math.round(PAD_SIZE * dpr);
      if (el.width !== px) {
        el.width = el.height = px;
        redraw();
      }
    };
    fit();
    const mq = matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`);
    mq.addEventListener('change', fit);
    return () => mq.removeEventListener('change', fit);
  }, [redraw]);

  const point = (e: React.PointerEvent): Point => {
    const r = canvas.current!.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * PAD_SIZE) / r.width, y: ((e.clientY - r.top) * PAD_SIZE) / r.height };
  };

  const onDown = (e: React.PointerEvent) => {
    if (e.button !== 0 && e.pointerType === 'mouse') return;
    e.preventDefault();
    canvas.current!.setPointerCapture(e.pointerId);
    active.current = { id: e.pointerId, points: [point(e)] };
    redraw();
    changed();
  };
  const onMove = (e: React.PointerEvent) => {
    const a = active.current;
    if (!a || a.id !== e.pointerId) return;
    // Coalesced events keep fast pen and touch strokes smooth.
    const events = e.nativeEvent.getCoalescedEvents?.() ?? [e.nativeEvent];
    const r = canvas.current!.getBoundingClientRect();
    for (const ev of events.length ? events : [e.nativeEvent]) {
      a.points.push({ x: ((ev.clientX - r.left) * PAD_SIZE) / r.width, y: ((ev.clientY - r.top) * PAD_SIZE) / r.height });
    }
    redraw();
    changed();
  };
  const onUp = (e: React.PointerEvent) => {
    const a = active.current;
    if (!a || a.id !== e.pointerId) return;
    performance.mark('stroke-end');
    strokes.current = [...strokes.current, a.points];
    active.current = null;
    redraw();
    changed();
  };

  const onKey = (e: React.KeyboardEvent) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z') {
      e.preventDefault();
      handle.current.undo();
    } else if (e.key === 'Escape' || e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      handle.current.clear();
    } else if (onDigit && /^[0-9]$/.test(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      onDigit(Number(e.key));
    }
  };

  return (
    <canvas
      ref={canvas}
      className="pad"
      role="img"
      aria-label="Draw a digit"
      tabIndex={0}
      style={{ width: PAD_SIZE, height: PAD_SIZE }}
      onPointerDown={onDown}
      onPointerMove={onMove}
      onPointerUp={onUp}
      onPointerCancel={onUp}
      onKeyDown={onKey}
    />
  );
}
