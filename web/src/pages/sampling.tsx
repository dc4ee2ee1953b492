import { apiPath } from '../api/client.js';
import { useApi } from '../api/use-api.js';
import { LoadState } from '../components/load-state.js';
import { useReadyMarker } from '../ready.js';
import { href } from '../router.js';

/** `provider-mismatch` only: outbound requests on which apps sent the header family the provider does not read, and its own. */
interface MismatchEvidence {
  readonly foreign: { readonly header: string; readonly requests: number };
  readonly provider: { readonly header: string; readonly requests: number };
}

interface Finding {
  readonly kind: string;
  readonly reason: string;
  readonly proxies: readonly string[];
  readonly restartRequired?: boolean;
  readonly headers?: MismatchEvidence;
}

/** `GET /api/sampling/drift`, as far as this page reads it. */
export interface DriftAnswer {
  readonly workloads: readonly {
    readonly key: string;
    readonly namespace: string;
    readonly workload: string;
    readonly intended?: { readonly percentage: number } | undefined;
    readonly effective: readonly { readonly percentage?: number | undefined; readonly proxies: readonly string[] }[];
    readonly observed?: { readonly percentage: number; readonly samples: number } | undefined;
    readonly findings: readonly Finding[];
  }[];
  readonly counts: Readonly<Record<string, number>>;
  readonly errors: Readonly<Record<string, string>>;
}

function isDriftAnswer(v: unknown): v is DriftAnswer {
  return typeof v === 'object' && v !== null && Array.isArray((v as { workloads?: unknown }).workloads)
    && typeof (v as { counts?: unknown }).counts === 'object';
}

const pct = (p: number | undefined): string => (p === undefined ? 'tracing off' : `${Number(p.toFixed(2))}%`);

const HEADER_NAMES: Readonly<Record<string, string>> = { traceparent: 'traceparent', b3: 'B3' };
const headerName = (h: string): string => HEADER_NAMES[h] ?? h;

/** "traceparent forwarded on 120 requests, B3 on 0": the counts a provider-mismatch rests on. */
export function mismatchLine(e: MismatchEvidence): string {
  const n = e.foreign.requests;
  return `${headerName(e.foreign.header)} forwarded on ${n} request${n === 1 ? '' : 's'}, ${headerName(e.provider.header)} on ${e.provider.requests}`;
}

function FindingItem({ f }: { f: Finding }) {
  return (
    <li>
      <strong>{f.kind}</strong>{f.restartRequired === true ? ' (restart needed)' : ''}: {f.reason}
      {f.headers !== undefined && <> ({mismatchLine(f.headers)})</>}
    </li>
  );
}

/**
 * Sampling drift: per workload, the rate Istio's precedence asks for, what its Envoys run (from
 * the xDS sources meshtrace reads) and what the recorded requests show, with the findings.
 */
export function SamplingPage() {
  const state = useApi(apiPath('api/sampling/drift'), isDriftAnswer);
  const data = state.data;
  useReadyMarker('sampling', data !== undefined);
  return (
    <section aria-labelledby="sampling-title">
      <h1 id="sampling-title">Sampling: asked, running, seen</h1>
      <LoadState state={state} what="the sampling drift report" />
      {data !== undefined && data.workloads.length === 0 && (
        <p class="notice">
          No proxy configuration read yet. Start meshtrace with <code>--xds-istiod-url</code>, <code>--xds-ads-target</code> or
          <code> --xds-config-dump</code>, or inspect a dump offline with <code>meshtrace xds inspect FILE</code>.
        </p>
      )}
      {data !== undefined && Object.entries(data.errors).map(([source, message]) => (
        <p key={source} class="notice notice-error" role="alert">{source}: {message}</p>
      ))}
      {data !== undefined && data.workloads.length > 0 && (
        <table class="data-table">
          <caption>Per workload: intended rate, effective rate per group of pods, observed rate, findings</caption>
          <thead>
            <tr><th scope="col">Workload</th><th scope="col">Intended</th><th scope="col">Effective (pods)</th><th scope="col">Observed</th><th scope="col">Findings</th></tr>
          </thead>
          <tbody>
            {data.workloads.map((w) => (
              <tr key={w.key}>
                <th scope="row"><a href={href.workload(w.namespace, w.workload)}>{w.key}</a></th>
                <td>{w.intended === undefined ? 'unknown' : pct(w.intended.percentage)}</td>
                <td>{w.effective.map((e) => `${pct(e.percentage)} (${e.proxies.length})`).join(', ') || 'no proxies'}</td>
                <td>{w.observed === undefined ? 'not enough data' : `${pct(w.observed.percentage)} of ${w.observed.samples}`}</td>
                <td>
                  {w.findings.length === 0 ? 'none' : (
                    <ul class="plain-list">
                      {w.findings.map((f, i) => <FindingItem key={i} f={f} />)}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
