import type { TrendPoint } from '../api/types.js';
import { formatClock, formatCount, formatPercent } from '../format.js';

const W = 720;
const H = 220;
const M = { top: 12, right: 16, bottom: 28, left: 44 };
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;
const Y_TICKS = [0, 0.25, 0.5, 0.75, 1];
const X_LABELS = 6;

/** Path pieces of the ratio line; minutes without calls have no ratio, so the line breaks there. */
function linePath(points: readonly TrendPoint[], x: (i: number) => number, y: (r: number) => number): string {
  let d = '';
  let drawing = false;
  points.forEach((p, i) => {
    if (p.calls === 0) {
      drawing = false;
      return;
    }
    d += `${drawing ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.gapRatio).toFixed(1)}`;
    drawing = true;
  });
  return d;
}

function summary(points: readonly TrendPoint[]): string {
  const withCalls = points.filter((p) => p.calls > 0);
  if (withCalls.length === 0) return 'no calls in this time range';
  const peak = Math.max(...withCalls.map((p) => p.gapRatio));
  const latest = withCalls[withCalls.length - 1]!;
  return `${withCalls.length} minutes with calls, peak ${formatPercent(peak)}, latest ${formatPercent(latest.gapRatio)} at ${formatClock(latest.minute)}`;
}

/** Gap ratio per minute: share of the workload's calls that started a new trace. */
export function GapChart({ points, title }: { points: readonly TrendPoint[]; title: string }) {
  const n = Math.max(points.length, 2);
  const x = (i: number): number => M.left + (i / (n - 1)) * PLOT_W;
  const y = (r: number): number => M.top + (1 - r) * PLOT_H;
  const every = Math.max(1, Math.ceil(points.length / X_LABELS));
  const path = linePath(points, x, y);
  return (
    <figure class="chart-figure">
      <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: ${summary(points)}`}>
        {Y_TICKS.map((t) => (
          <g key={t}>
            <line x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} class="chart-grid" />
            <text x={M.left - 6} y={y(t) + 4} text-anchor="end" class="chart-label">{formatPercent(t)}</text>
          </g>
        ))}
        {points.map((p, i) => (i % every === 0 ? (
          <text key={p.minute} x={x(i)} y={H - 8} text-anchor="middle" class="chart-label">{formatClock(p.minute)}</text>
        ) : null))}
        <path d={path} class="chart-line" fill="none" />
        {points.map((p, i) => (p.calls > 0 && p.gaps > 0 ? <circle key={p.minute} cx={x(i)} cy={y(p.gapRatio)} r="2.5" class="chart-point" /> : null))}
      </svg>
      <figcaption>
        <details>
          <summary>{title} as a table</summary>
          <table class="data-table">
            <thead><tr><th scope="col">Minute</th><th scope="col">Requests</th><th scope="col">Calls</th><th scope="col">Calls that lost context</th><th scope="col">Gap ratio</th></tr></thead>
            <tbody>
              {points.filter((p) => p.requests > 0 || p.calls > 0).map((p) => (
                <tr key={p.minute}>
                  <td>{formatClock(p.minute)}</td><td>{formatCount(p.requests)}</td><td>{formatCount(p.calls)}</td>
                  <td>{formatCount(p.gaps)}</td><td>{formatPercent(p.gapRatio)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </figcaption>
    </figure>
  );
}
