import { apiPath } from '../api/client.js';
import { isReport } from '../api/shapes.js';
import type { EdgeReport, PropagationReport, Verdict } from '../api/types.js';
import { useApi } from '../api/use-api.js';
import { RefreshControl, useAutoRefresh } from '../components/auto-refresh.js';
import { ConnectIstio } from '../components/connect-istio.js';
import { LoadState } from '../components/load-state.js';
import { NamespacePicker, useKnownNamespaces } from '../components/namespace-picker.js';
import { WindowPicker } from '../components/window-picker.js';
import { formatCount, formatPercent, formatTimeMs } from '../format.js';
import { layoutGraph, NODE_H, NODE_W } from '../graph/layout.js';
import type { PlacedNode } from '../graph/layout.js';
import { useReadyMarker } from '../ready.js';
import { href, navigate } from '../router.js';
import type { Window } from '../router.js';
import { REFRESH_SECONDS } from './overview.js';

type EdgeState = 'ok' | 'partial' | 'breaking';

/** Red when the caller is judged to break propagation, amber for gaps below the verdict's thresholds. */
function edgeState(e: EdgeReport, callerVerdict: Verdict | undefined): EdgeState {
  if (e.gaps === 0) return 'ok';
  return callerVerdict === 'breaks-propagation' ? 'breaking' : 'partial';
}

const MAX_LABEL = 20;

function clip(text: string): string {
  return text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text;
}

function Node({ node, verdict, window }: { node: PlacedNode; verdict: Verdict | undefined; window: Window }) {
  const slash = node.key.indexOf('/');
  const ns = node.key.slice(0, slash);
  const name = node.key.slice(slash + 1);
  const box = (
    <>
      <title>{`${node.key}${verdict === undefined ? ' (no spans of its own)' : `: ${verdict.replace('-', ' ')}`}`}</title>
      <rect x={node.x} y={node.y} width={NODE_W} height={NODE_H} rx="6" class={`node node-${verdict ?? 'unknown'}`} />
      <text x={node.x + 10} y={node.y + 19} class="node-name">{clip(name)}</text>
      <text x={node.x + 10} y={node.y + 35} class="node-ns">{clip(ns)}</text>
    </>
  );
  // Only workloads with a report have a page to open; callees seen only as call targets do not.
  return verdict === undefined ? <g>{box}</g> : <a href={href.workload(ns, name, window)} class="node-link">{box}</a>;
}

function Legend() {
  const line = (cls: string, dashed = false) => (
    <svg width="36" height="10" aria-hidden="true" class="legend-swatch">
      <line x1="0" x2="36" y1="5" y2="5" class={cls} stroke-dasharray={dashed ? '6 4' : undefined} />
    </svg>
  );
  return (
    <ul class="legend" aria-label="Legend">
      <li>{line('edge edge-ok')} calls keep their trace context</li>
      <li>{line('edge edge-partial')} some calls lose it (below the verdict thresholds)</li>
      <li>{line('edge edge-breaking')} the caller breaks propagation</li>
      <li>{line('edge-restitched', true)} calls re-stitched by inference (timing, no shared request id)</li>
    </ul>
  );
}

function GraphPicture({ report, window }: { report: PropagationReport; window: Window }) {
  const verdicts = new Map<string, Verdict>(report.workloads.map((w) => [`${w.namespace}/${w.workload}`, w.verdict]));
  const layout = layoutGraph(verdicts.keys(), report.edges);
  const byPair = new Map(report.edges.map((e) => [`${e.from}\u0000${e.to}`, e]));
  return (
    <div class="graph-scroll" role="region" aria-label="Service graph, scrollable" tabIndex={0}>
      <svg width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`} class="graph" role="group" aria-label={`Service graph: ${layout.nodes.length} workloads, ${layout.edges.length} call edges`}>
        <defs>
          {(['ok', 'partial', 'breaking'] as const).map((s) => (
            <marker key={s} id={`arrow-${s}`} viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse">
              <path d="M0,0 L10,5 L0,10 z" class={`arrow arrow-${s}`} />
            </marker>
          ))}
        </defs>
        {layout.edges.map((pe) => {
          const e = byPair.get(`${pe.from}\u0000${pe.to}`)!;
          const state = edgeState(e, verdicts.get(e.from));
          return (
            <g key={`${pe.from}>${pe.to}`} class="edge-group">
              <title>{`${e.from} → ${e.to}: ${formatCount(e.calls)} calls, ${formatCount(e.gaps)} lost their trace context (${formatPercent(e.gapRatio)})`}</title>
              <path d={pe.path} class={`edge edge-${state}`} fill="none" marker-end={`url(#arrow-${state})`} data-from={e.from} data-to={e.to} data-state={state} />
              {e.inferred > 0 && <path d={pe.bent} class="edge-restitched" fill="none" stroke-dasharray="6 4" data-from={e.from} data-to={e.to} />}
              {e.gaps > 0 && <text x={pe.labelX} y={pe.labelY - 6} text-anchor="middle" class={`edge-label edge-label-${state}`}>{formatPercent(e.gapRatio)} lost</text>}
            </g>
          );
        })}
        {layout.nodes.map((n) => <Node key={n.key} node={n} verdict={verdicts.get(n.key)} window={window} />)}
      </svg>
    </div>
  );
}

function EdgeTable({ report }: { report: PropagationReport }) {
  const verdicts = new Set(report.workloads.map((w) => `${w.namespace}/${w.workload}`));
  return (
    <table class="data-table">
      <caption>Calls between workloads, worst first</caption>
      <thead>
        <tr><th scope="col">Caller</th><th scope="col">Callee</th><th scope="col">Calls</th><th scope="col">Lost context</th><th scope="col">Gap ratio</th><th scope="col">Confirmed</th><th scope="col">Inferred</th></tr>
      </thead>
      <tbody>
        {report.edges.map((e) => (
          <tr key={`${e.from}>${e.to}`}>
            <th scope="row"><a href={href.workloadKey(e.from)}>{e.from}</a></th>
            <td>{verdicts.has(e.to) ? <a href={href.workloadKey(e.to)}>{e.to}</a> : e.to}</td><td class="num">{formatCount(e.calls)}</td><td class="num">{formatCount(e.gaps)}</td>
            <td class="num">{formatPercent(e.gapRatio)}</td><td class="num">{formatCount(e.confirmed)}</td><td class="num">{formatCount(e.inferred)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function GraphPage({ window, namespace }: { window: Window; namespace: string | undefined }) {
  const refresh = useAutoRefresh(REFRESH_SECONDS * 1000);
  const report = useApi(apiPath('api/propagation/report', { window, namespace }), isReport, refresh.tick);
  const namespaces = useKnownNamespaces(report.data?.workloads.map((w) => w.namespace) ?? [], namespace);
  const data = report.data;
  useReadyMarker('graph', data !== undefined);
  return (
    <>
      <h1>Service graph</h1>
      <p class="lead">Workloads and the calls between them, coloured by the share of calls that lost their trace context.</p>
      <form class="toolbar" onSubmit={(e) => e.preventDefault()} aria-label="Graph options">
        <WindowPicker value={window} onChange={(w) => navigate(href.graph(w, namespace))} />
        <NamespacePicker namespaces={namespaces} value={namespace} onChange={(ns) => navigate(href.graph(window, ns))} />
        <RefreshControl refresh={refresh} seconds={REFRESH_SECONDS} updatedAt={report.receivedAt === undefined ? undefined : formatTimeMs(report.receivedAt)} />
      </form>
      <LoadState state={report} what="the propagation report" />
      {data !== undefined && data.workloads.length === 0 && <ConnectIstio />}
      {data !== undefined && data.workloads.length > 0 && (
        <>
          <Legend />
          <GraphPicture report={data} window={window} />
          <EdgeTable report={data} />
        </>
      )}
    </>
  );
}
