/** A tiny line of ratios (0..1) for table cells. Sized by its viewBox; no inline styles. */
export function Sparkline({ values, label }: { values: readonly number[]; label: string }) {
  const W = 100;
  const H = 24;
  if (values.length === 0) return <span class="muted">no data</span>;
  const step = values.length > 1 ? W / (values.length - 1) : 0;
  const points = values.map((v, i) => `${(i * step).toFixed(2)},${(H - 2 - Math.min(1, Math.max(0, v)) * (H - 4)).toFixed(2)}`).join(' ');
  return (
    <svg class="sparkline" viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={label}>
      <line x1="0" x2={W} y1={H - 2} y2={H - 2} class="sparkline-base" vector-effect="non-scaling-stroke" />
      <polyline points={points} class={values.some((v) => v > 0) ? 'sparkline-line sparkline-gaps' : 'sparkline-line'} fill="none" vector-effect="non-scaling-stroke" />
    </svg>
  );
}
