/**
 * The span tree as a virtualized ARIA tree: only the rows in view (plus a few) are in the DOM,
 * so a 10,000-span trace scrolls as fast as a 10-span one. Spacer heights and bar geometry are
 * set through CSSOM and SVG attributes, never `style` attributes, so a strict CSP holds.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { TraceView } from '../api/types.js';
import { formatDurationUs } from '../format.js';
import { visibleRows } from './model.js';
import type { TraceModel } from './model.js';
import { BREAK_TEXT, isError, serviceOf, spanTitle } from './labels.js';

/** Must match `.tree-row` height in style.css. */
export const ROW_H = 28;
const OVERSCAN = 8;
const INDENT = 12;
/** Deeper levels stop indenting, or a long call chain would push its names off screen. */
const MAX_INDENT_LEVELS = 24;
const TICKS = [0, 0.25, 0.5, 0.75, 1];

function useHeight(el: { current: HTMLElement | null }, px: number): void {
  useLayoutEffect(() => {
    if (el.current !== null) el.current.style.height = `${px}px`;
  }, [el, px]);
}

function percent(part: number, whole: number): string {
  return `${whole <= 0 ? 0 : Math.min(100, Math.max(0, (part / whole) * 100)).toFixed(3)}%`;
}

interface RowProps {
  readonly view: TraceView;
  readonly model: TraceModel;
  readonly r: number;
  readonly collapsed: boolean;
  readonly selected: boolean;
  readonly onSelect: (r: number) => void;
  readonly onToggle: (r: number) => void;
}

function TreeRow({ view, model, r, collapsed, selected, onSelect, onToggle }: RowProps) {
  const row = model.rows[r]!;
  const s = view.spans[row.index]!;
  const total = model.endUs - model.startUs;
  const levels = Math.min(row.depth, MAX_INDENT_LEVELS);
  const classes = ['tree-row', selected ? 'selected' : '', row.fromFragment ? 'fragment' : '', row.mark !== undefined ? `mark-${row.mark}` : ''].filter(Boolean).join(' ');
  return (
    <div
      role="treeitem" id={`span-row-${r}`} class={classes} aria-level={row.depth + 1} aria-posinset={row.position} aria-setsize={row.siblings}
      aria-expanded={row.hasChildren ? !collapsed : undefined} aria-selected={selected}
      onClick={() => onSelect(r)}
    >
      <div class="row-label">
        <svg class="indent" width={levels * INDENT + 2} height={ROW_H} aria-hidden="true">
          {Array.from({ length: levels }, (_, k) => <line key={k} x1={k * INDENT + 6} x2={k * INDENT + 6} y1="0" y2={ROW_H} class="guide" />)}
        </svg>
        <span
          class="toggle" aria-hidden="true"
          onClick={(e) => { if (row.hasChildren) { e.stopPropagation(); onToggle(r); } }}
        >{row.hasChildren ? (collapsed ? '▸' : '▾') : ''}</span>
        <span class="service">{serviceOf(s)}</span>
        <span class="operation">{spanTitle(s)}</span>
        {row.mark !== undefined && <span class={`mark mark-badge-${row.mark}`}>{BREAK_TEXT[row.mark]}</span>}
      </div>
      <div class="row-timeline">
        <svg class="bars" width="100%" height={ROW_H} aria-hidden="true">
          {TICKS.map((t) => <line key={t} x1={`${t * 100}%`} x2={`${t * 100}%`} y1="0" y2={ROW_H} class="tick-line" />)}
          <rect
            x={percent(row.startUs - model.startUs, total)} width={percent(Math.max(row.durationUs, total / 1000), total)} y="7" height="14" rx="2"
            class={`bar bar-${(s.kind ?? 'local').toLowerCase()}${isError(s) ? ' bar-error' : ''}`}
          />
        </svg>
        <span class="duration">
          {formatDurationUs(row.durationUs)}{row.hop !== undefined && ` · network ${formatDurationUs(row.hop.gapUs)}`}
          <span class="visually-hidden">, starts at {formatDurationUs(row.startUs - model.startUs)}</span>
        </span>
      </div>
    </div>
  );
}

export interface WaterfallProps {
  readonly view: TraceView;
  readonly model: TraceModel;
  /** Selected row (index into model.rows). */
  readonly selected: number | undefined;
  readonly onSelect: (row: number) => void;
}

/** Row to move to for a navigation key, or undefined when the key is not ours. */
function nextRow(key: string, at: number, visible: readonly number[], pageRows: number): number | undefined {
  switch (key) {
    case 'ArrowDown': return Math.min(visible.length - 1, at + 1);
    case 'ArrowUp': return Math.max(0, at - 1);
    case 'PageDown': return Math.min(visible.length - 1, at + pageRows);
    case 'PageUp': return Math.max(0, at - pageRows);
    case 'Home': return 0;
    case 'End': return visible.length - 1;
    default: return undefined;
  }
}

export function Waterfall({ view, model, selected, onSelect }: WaterfallProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const top = useRef<HTMLDivElement>(null);
  const bottom = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const [collapsed, setCollapsed] = useState<ReadonlySet<number>>(new Set());
  const visible = useMemo(() => visibleRows(model.rows, collapsed), [model, collapsed]);
  const positionOf = useMemo(() => new Map(visible.map((r, i) => [r, i])), [visible]);

  useEffect(() => {
    const el = scroller.current;
    if (el === null) return undefined;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // A span chosen from outside (the break list) inside a folded subtree: unfold its ancestors.
  useLayoutEffect(() => {
    if (selected === undefined || positionOf.has(selected)) return;
    const folded: number[] = [];
    for (let p = model.rows[selected]?.parentRow ?? -1; p >= 0; p = model.rows[p]!.parentRow) if (collapsed.has(p)) folded.push(p);
    if (folded.length > 0) setCollapsed((c) => new Set([...c].filter((r) => !folded.includes(r))));
  }, [selected, positionOf, model, collapsed]);

  // Keep the selected row in view (keyboard moves, jumps from the break list). Before paint, and
  // without waiting for the scroll event, so the row is rendered in the very next frame.
  const selectedAt = selected === undefined ? undefined : positionOf.get(selected);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el === null || selectedAt === undefined) return;
    const y = selectedAt * ROW_H;
    if (y < el.scrollTop) el.scrollTop = y;
    else if (y + ROW_H > el.scrollTop + el.clientHeight) el.scrollTop = y + ROW_H - el.clientHeight;
    setScrollTop(el.scrollTop);
  }, [selectedAt]);

  // The scroll position can be stale for a frame after rows fold away: never start past the end.
  const viewTop = Math.min(scrollTop, Math.max(0, visible.length * ROW_H - height));
  const first = Math.max(0, Math.floor(viewTop / ROW_H) - OVERSCAN);
  const last = Math.min(visible.length, Math.ceil((viewTop + height) / ROW_H) + OVERSCAN);
  useHeight(top, first * ROW_H);
  useHeight(bottom, (visible.length - last) * ROW_H);

  const toggle = (r: number): void => setCollapsed((c) => {
    const next = new Set(c);
    if (!next.delete(r)) next.add(r);
    return next;
  });

  const onKeyDown = (e: KeyboardEvent): void => {
    const at = selectedAt ?? 0;
    const row = model.rows[visible[at] ?? 0];
    if (row === undefined) return;
    const r = visible[at]!;
    let target = nextRow(e.key, at, visible, Math.max(1, Math.floor(height / ROW_H) - 1));
    if (e.key === 'ArrowRight' && row.hasChildren) {
      if (collapsed.has(r)) toggle(r);
      else target = Math.min(visible.length - 1, at + 1);
    } else if (e.key === 'ArrowLeft') {
      if (row.hasChildren && !collapsed.has(r)) toggle(r);
      else if (row.parentRow >= 0) target = positionOf.get(row.parentRow);
    } else if (target === undefined && e.key !== 'Enter' && e.key !== ' ') return;
    e.preventDefault();
    onSelect(visible[target ?? at]!);
  };

  const rendered = visible.slice(first, last);
  const activeShown = selectedAt !== undefined && selectedAt >= first && selectedAt < last;
  const total = model.endUs - model.startUs;
  return (
    <div class="waterfall">
      <div class="waterfall-header" aria-hidden="true">
        <div class="row-label">Service and operation</div>
        <div class="row-timeline ticks">
          {TICKS.map((t) => <span key={t} class={`tick tick-${t * 100}`}>{formatDurationUs(total * t)}</span>)}
        </div>
      </div>
      <div
        ref={scroller} class="waterfall-scroll" role="tree" tabIndex={0}
        aria-label={`Spans of trace ${view.traceId}: ${model.rows.length} spans. Arrow keys move, right and left expand and collapse.`}
        aria-activedescendant={activeShown ? `span-row-${selected}` : undefined}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        onFocus={() => { if (selected === undefined && visible.length > 0) onSelect(visible[0]!); }}
        onKeyDown={onKeyDown}
      >
        <div ref={top} aria-hidden="true" />
        {rendered.map((r) => (
          <TreeRow key={r} view={view} model={model} r={r} collapsed={collapsed.has(r)} selected={r === selected} onSelect={onSelect} onToggle={toggle} />
        ))}
        <div ref={bottom} aria-hidden="true" />
      </div>
    </div>
  );
}
