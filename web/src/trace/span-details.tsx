import type { ComponentChildren } from 'preact';
import type { Graft, TraceSpan, TraceView } from '../api/types.js';
import { formatDurationUs, formatPercent, formatTimeUs } from '../format.js';
import { href } from '../router.js';
import { BREAK_EXPLANATION, serviceOf, spanTitle } from './labels.js';
import type { TraceModel } from './model.js';

function Fact({ term, children }: { term: string; children: ComponentChildren }) {
  return <div><dt>{term}</dt><dd>{children}</dd></div>;
}

function GraftNote({ graft }: { graft: Graft }) {
  return (
    <p>
      Re-stitched {graft.method === 'request-id' ? 'by a shared x-request-id' : 'by timing (no shared request id)'} with
      confidence {formatPercent(graft.confidence)}, under span <code>{graft.parentSpanId}</code> of
      trace <a href={href.trace(graft.parentTraceId)}><code>{graft.parentTraceId}</code></a>.
    </p>
  );
}

function Tags({ span }: { span: TraceSpan }) {
  const tags = Object.entries(span.tags ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return (
    <table class="data-table tags">
      <caption>Tags</caption>
      <thead><tr><th scope="col">Key</th><th scope="col">Value</th></tr></thead>
      <tbody>
        {tags.length === 0 && <tr><td colSpan={2} class="muted">No tags</td></tr>}
        {tags.map(([k, v]) => <tr key={k}><th scope="row"><code>{k}</code></th><td class="tag-value">{v}</td></tr>)}
      </tbody>
    </table>
  );
}

function Annotations({ span }: { span: TraceSpan }) {
  const list = span.annotations ?? [];
  if (list.length === 0) return null;
  return (
    <>
      <h3>Annotations</h3>
      <ul>{list.map((a) => <li key={`${a.timestamp}${a.value}`}>+{formatDurationUs(a.timestamp - (span.timestamp ?? a.timestamp))}: {a.value}</li>)}</ul>
    </>
  );
}

function parentText(view: TraceView, s: TraceSpan): ComponentChildren {
  if (s.parentId === undefined) return 'none (root)';
  const received = s.parentIndex >= 0 && view.spans[s.parentIndex] !== undefined;
  return <><code>{s.parentId}</code>{received ? '' : ' (not received)'}</>;
}

export function SpanDetails({ view, model, row }: { view: TraceView; model: TraceModel; row: number }) {
  const r = model.rows[row]!;
  const s = view.spans[r.index]!;
  const storedIn = s.originalTraceId ?? s.traceId;
  return (
    <section class="span-details" aria-labelledby="span-details-title">
      <h2 id="span-details-title">{serviceOf(s)}: {spanTitle(s)}</h2>
      {r.mark !== undefined && <p class="notice notice-break">{BREAK_EXPLANATION[r.mark]}.</p>}
      {s.graft !== undefined && <GraftNote graft={s.graft} />}
      <dl class="facts">
        <Fact term="Span id"><code>{s.id}</code></Fact>
        <Fact term="Parent span id">{parentText(view, s)}</Fact>
        <Fact term="Stored in trace"><a href={href.trace(storedIn)}><code>{storedIn}</code></a></Fact>
        <Fact term="Kind">{s.kind ?? 'local'}{s.proxyRole === undefined ? '' : ` (${s.proxyRole})`}</Fact>
        <Fact term="Workload">{s.workload === undefined ? '–' : `${s.namespace ?? '?'}/${s.workload}`}</Fact>
        <Fact term="Start">{formatTimeUs(r.startUs)} (+{formatDurationUs(r.startUs - model.startUs)})</Fact>
        <Fact term="Duration">{formatDurationUs(r.durationUs)}</Fact>
        <Fact term="Clock-skew correction">{s.skewOffsetUs ? formatDurationUs(s.skewOffsetUs) : 'none'}</Fact>
        {r.hop !== undefined && <Fact term="Network time of this hop">{formatDurationUs(r.hop.gapUs)} ({r.hop.caller} → {r.hop.callee})</Fact>}
      </dl>
      <Tags span={s} />
      <Annotations span={s} />
    </section>
  );
}
