/**
 * Live loss and accuracy curves with uPlot: per-batch training values
 * (smoothed) and per-epoch validation values on one step axis. The series are
 * append-only; the charts redraw when they grew, a few times a second.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { pct } from '../core/format';
import type { Series } from './store';

interface ChartSpec {
  title: string;
  train: (s: Series) => number[];
  val: (s: Series) => (number | null)[];
  unit: 'loss' | 'accuracy';
}

const SPECS: ChartSpec[] = [
  { title: 'Loss', train: (s) => s.loss, val: (s) => s.valLoss, unit: 'loss' },
  { title: 'Accuracy', train: (s) => s.acc, val: (s) => s.valAcc, unit: 'accuracy' },
];

const REDRAW_MS = 250;

function makeChart(el: HTMLElement, spec: ChartSpec, width: number): uPlot {
  const fmt = (v: number | null) => (v == null ? '–' : spec.unit === 'accuracy' ? pct(v) : v.toFixed(4));
  return new uPlot(
    {
      title: spec.title,
      width,
      height: 220,
      scales: { x: { time: false }, y: spec.unit === 'loss' ? { distr: 3 } : { range: (_u, min) => [Math.min(min ?? 0.9, 0.9), 1] } },
      axes: [{ label: 'step' }, { values: (_u, ticks) => ticks.map((t) => (t == null ? '' : spec.unit === 'accuracy' ? `${(t * 100).toFixed(1)}%` : String(+t.toPrecision(2)))), size: 60 }],
      series: [
        { label: 'step' },
        { label: `training ${spec.unit} (smoothed)`, stroke: '#2563eb', width: 1.5, value: (_u, v) => fmt(v), points: { show: false } },
        { label: `validation ${spec.unit}`, stroke: '#dc2626', width: 2, value: (_u, v) => fmt(v), spanGaps: true, points: { show: true, size: 6 } },
      ],
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
    },
    [[], [], []],
    el,
  );
}

export function Charts({ series }: { series: Series }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const host = box.current!;
    const width = () => Math.max(260, Math.min(560, host.clientWidth - 8));
    const divs = SPECS.map(() => host.appendChild(document.createElement('div')));
    const charts = SPECS.map((spec, i) => makeChart(divs[i], spec, width()));
    // Polled, not a per-frame loop: an idle page then asks for no frames, and
    // a training one repaints a few times a second instead of at each batch.
    let drawn = -1;
    let raf = 0;
    const draw = () => {
      raf = 0;
      drawn = series.version;
      charts.forEach((c, i) => c.setData([series.x, SPECS[i].train(series), SPECS[i].val(series)] as unknown as uPlot.AlignedData));
      host.dataset.points = String(series.x.length);
      host.dataset.epochs = String(series.valLoss.filter((v) => v !== null).length);
    };
    const poll = setInterval(() => {
      if (series.version !== drawn && !raf) raf = requestAnimationFrame(draw);
    }, REDRAW_MS);
    const resize = new ResizeObserver(() => charts.forEach((c) => c.setSize({ width: width(), height: 220 })));
    resize.observe(host);
    return () => {
      clearInterval(poll);
      cancelAnimationFrame(raf);
      resize.disconnect();
      charts.forEach((c) => c.destroy());
      divs.forEach((d) => d.remove());
    };
  }, [series]);
  return <div ref={box} className="charts" data-testid="charts" aria-label="Training curves" role="group" />;
}
