import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { apiPath } from '../api/client.js';
import { isSearchResult, isServiceList } from '../api/shapes.js';
import type { TraceSummary } from '../api/types.js';
import { useApi } from '../api/use-api.js';
import { ConnectIstio } from '../components/connect-istio.js';
import { LoadState } from '../components/load-state.js';
import { TraceIdText } from '../components/trace-id.js';
import { WindowPicker } from '../components/window-picker.js';
import { formatCount, formatDurationUs, formatTimeUs } from '../format.js';
import { useReadyMarker } from '../ready.js';
import { href, navigate, WINDOWS } from '../router.js';
import type { Window } from '../router.js';

/** The form's fields, as they sit in the page's URL (durations in milliseconds, as typed). */
interface Criteria {
  traceId: string;
  service: string;
  operation: string;
  minMs: string;
  maxMs: string;
  error: boolean;
  window: Window;
  limit: string;
}

const LIMITS = ['20', '50', '100'];

function criteriaOf(q: URLSearchParams): Criteria {
  const w = q.get('window') ?? '';
  return {
    traceId: q.get('traceId') ?? '', service: q.get('service') ?? '', operation: q.get('operation') ?? '',
    minMs: q.get('minMs') ?? '', maxMs: q.get('maxMs') ?? '', error: q.get('error') === 'true',
    window: (WINDOWS as readonly string[]).includes(w) ? w as Window : '1h',
    limit: LIMITS.includes(q.get('limit') ?? '') ? q.get('limit')! : '20',
  };
}

/** Milliseconds as typed → whole microseconds, as the API (like Zipkin's) wants them. */
function micros(ms: string): number | undefined {
  const n = Number(ms);
  return ms.trim() === '' || !Number.isFinite(n) || n < 0 ? undefined : Math.round(n * 1000);
}

function searchPath(c: Criteria): string {
  const traceId = c.traceId.trim();
  if (traceId !== '') return apiPath('api/search', { traceId });
  return apiPath('api/search', {
    service: c.service, operation: c.operation.trim(), minDuration: micros(c.minMs), maxDuration: micros(c.maxMs),
    error: c.error ? 'true' : undefined, window: c.window, limit: c.limit,
  });
}

function Field({ id, label, children }: { id: string; label: string; children: ComponentChildren }) {
  return <div class="field"><label for={id}>{label}</label>{children}</div>;
}

function SearchForm({ initial, services }: { initial: Criteria; services: readonly string[] }) {
  const [c, setC] = useState(initial);
  const set = <K extends keyof Criteria>(k: K, v: Criteria[K]): void => setC((old) => ({ ...old, [k]: v }));
  const submit = (e: Event): void => {
    e.preventDefault();
    navigate(href.search({
      traceId: c.traceId.trim(), service: c.service, operation: c.operation.trim(), minMs: c.minMs, maxMs: c.maxMs,
      error: c.error ? 'true' : undefined, window: c.window, limit: c.limit,
    }));
  };
  return (
    <form class="search-form" onSubmit={submit} aria-label="Find traces">
      <Field id="trace-id" label="Trace id">
        <input id="trace-id" type="text" value={c.traceId} onInput={(e) => set('traceId', e.currentTarget.value)} pattern="[0-9a-fA-F]{16}|[0-9a-fA-F]{32}" title="16 or 32 hex characters" aria-describedby="trace-id-hint" autoComplete="off" spellcheck={false} />
        <span id="trace-id-hint" class="hint">Given a trace id, the other fields are ignored.</span>
      </Field>
      <Field id="service" label="Service">
        <select id="service" value={c.service} onChange={(e) => set('service', e.currentTarget.value)}>
          <option value="">Any service</option>
          {services.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </Field>
      <Field id="operation" label="Operation">
        <input id="operation" type="text" value={c.operation} onInput={(e) => set('operation', e.currentTarget.value)} autoComplete="off" />
      </Field>
      <Field id="min-ms" label="Min duration (ms)">
        <input id="min-ms" type="number" min="0" step="any" value={c.minMs} onInput={(e) => set('minMs', e.currentTarget.value)} />
      </Field>
      <Field id="max-ms" label="Max duration (ms)">
        <input id="max-ms" type="number" min="0" step="any" value={c.maxMs} onInput={(e) => set('maxMs', e.currentTarget.value)} />
      </Field>
      <WindowPicker id="search-window" value={c.window} onChange={(w) => set('window', w)} />
      <Field id="limit" label="At most">
        <select id="limit" value={c.limit} onChange={(e) => set('limit', e.currentTarget.value)}>
          {LIMITS.map((l) => <option key={l} value={l}>{l} traces</option>)}
        </select>
      </Field>
      <div class="field field-inline">
        <input id="errors-only" type="checkbox" checked={c.error} onChange={(e) => set('error', e.currentTarget.checked)} />
        <label for="errors-only">Only traces with errors</label>
      </div>
      <div class="field"><button type="submit" class="button-primary">Find traces</button></div>
    </form>
  );
}

function Results({ traces }: { traces: readonly TraceSummary[] }) {
  return (
    <table class="data-table" id="search-results">
      <caption>{formatCount(traces.length)} {traces.length === 1 ? 'trace' : 'traces, newest first'}</caption>
      <thead><tr><th scope="col">Trace</th><th scope="col">Root</th><th scope="col">Started</th><th scope="col">Duration</th><th scope="col">Spans</th><th scope="col">Errors</th><th scope="col">Workloads</th></tr></thead>
      <tbody>
        {traces.map((t) => (
          <tr key={t.traceId}>
            <th scope="row"><a href={href.trace(t.traceId)}><TraceIdText id={t.traceId} /></a></th>
            <td>{t.rootService ?? 'unknown'}: {t.rootName === '' ? '(unnamed)' : t.rootName}</td>
            <td>{formatTimeUs(t.startUs)}</td>
            <td class="num">{formatDurationUs(t.durationUs)}</td>
            <td class="num">{formatCount(t.spanCount)}</td>
            <td class="num">{t.errorCount > 0 ? <span class="error-text">{formatCount(t.errorCount)}</span> : '0'}</td>
            <td>{t.services.join(', ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function SearchPage({ query }: { query: URLSearchParams }) {
  const criteria = criteriaOf(query);
  const services = useApi('api/services', isServiceList);
  const results = useApi(searchPath(criteria), isSearchResult);
  useReadyMarker('search', results.data !== undefined);
  const noSpansAtAll = services.data !== undefined && services.data.services.length === 0;
  return (
    <>
      <h1>Find traces</h1>
      <SearchForm key={query.toString()} initial={criteria} services={services.data?.services ?? []} />
      <LoadState state={results} what="matching traces" />
      {results.data !== undefined && results.data.traces.length > 0 && <Results traces={results.data.traces} />}
      {results.data !== undefined && results.data.traces.length === 0 && (
        noSpansAtAll ? <ConnectIstio /> : <p role="status">No trace matches. meshtrace keeps traces for its retention period (<code>--retention</code>, one hour by default).</p>
      )}
    </>
  );
}
