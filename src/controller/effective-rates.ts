/**
 * What each workload's Envoys run, from meshtrace's `GET /api/sampling/effective?namespace=NS`
 * (built from the xDS config each Envoy received; see src/server/sampling-routes.ts). Pure: the
 * answer is untrusted JSON, checked field by field, and a bad shape is an error with its path.
 *
 * Only the side that decides traces starting at a proxy counts, as in src/xds/effective.ts and
 * `kubectl meshtrace explain`: the inbound listeners of a sidecar, the listeners of a gateway
 * (`type: router`), which Istio configures with the client-side settings.
 */

/** Envoys of one workload that run the same percentages on their deciding side. */
export interface EnvoyGroup {
  /** Distinct percentages among the side's traced HTTP listeners, ascending; empty: that side does not trace. */
  readonly percentages: readonly number[];
  readonly proxies: number;
}

export interface WorkloadEnvoys {
  readonly workload: string;
  /** Some of its proxies are gateways. */
  readonly gateway: boolean;
  /** Proxies meshtrace has config for. */
  readonly proxies: number;
  /** Distinct percentages its Envoys run on their deciding side, ascending. */
  readonly percentages: readonly number[];
  /** Proxies grouped by what they run, the largest group first. */
  readonly groups: readonly EnvoyGroup[];
  /** Proxies that run something else than the largest group (0 when all agree). */
  readonly disagreeing: number;
  /** Proxies without HTTP listeners on their deciding side: nothing there to compare. */
  readonly withoutListeners: number;
}

/** namespace → workload (canonical service) → its Envoys. */
export type EffectiveRates = ReadonlyMap<string, ReadonlyMap<string, WorkloadEnvoys>>;

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

type Reading = readonly number[] | 'no-listeners';

class ShapeError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function expectObject(v: unknown, path: string): Record<string, unknown> {
  if (!isObject(v)) throw new ShapeError(`${path}: expected an object, got ${shown(v)}`);
  return v;
}

function expectArray(v: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(v)) throw new ShapeError(`${path}: expected an array, got ${shown(v)}`);
  return v;
}

function expectString(v: unknown, path: string): string {
  if (typeof v !== 'string' || v === '') throw new ShapeError(`${path}: expected a non-empty string, got ${shown(v)}`);
  return v;
}

function expectCount(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ShapeError(`${path}: expected a count, got ${shown(v)}`);
  return v;
}

/** A short rendering of a bad value for the error message. */
function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  const text = JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** The deciding side's percentages of one proxy (`proxyView` in sampling-routes.ts). */
function readProxy(v: unknown, path: string): { readonly router: boolean; readonly reading: Reading } {
  const proxy = expectObject(v, path);
  const type = proxy.type;
  if (type !== undefined && typeof type !== 'string') throw new ShapeError(`${path}.type: expected a string, got ${shown(type)}`);
  const router = type === 'router';
  const sideName = router ? 'gateway' : 'inbound';
  const sides = proxy.sides === undefined ? {} : expectObject(proxy.sides, `${path}.sides`);
  const raw = sides[sideName];
  if (raw === undefined) return { router, reading: 'no-listeners' };
  const side = expectObject(raw, `${path}.sides.${sideName}`);
  const enabled = expectCount(side.enabledHcms, `${path}.sides.${sideName}.enabledHcms`);
  const percentages = expectArray(side.percentages, `${path}.sides.${sideName}.percentages`).map((p, i) => {
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0) throw new ShapeError(`${path}.sides.${sideName}.percentages[${i}]: expected a percentage, got ${shown(p)}`);
    return p;
  });
  if (enabled > 0 && percentages.length === 0) throw new ShapeError(`${path}.sides.${sideName}: ${enabled} traced listeners but no percentages`);
  return { router, reading: enabled === 0 ? [] : [...new Set(percentages)].sort((a, b) => a - b) };
}

function summarise(workload: string, gateway: boolean, readings: readonly Reading[]): WorkloadEnvoys {
  const groups = new Map<string, { percentages: readonly number[]; proxies: number }>();
  let withoutListeners = 0;
  for (const r of readings) {
    if (r === 'no-listeners') { withoutListeners++; continue; }
    const key = r.join(',');
    const g = groups.get(key);
    if (g === undefined) groups.set(key, { percentages: r, proxies: 1 });
    else g.proxies++;
  }
  const sorted = [...groups.values()].sort((a, b) => b.proxies - a.proxies || a.percentages.join(',').localeCompare(b.percentages.join(',')));
  const traced = sorted.reduce((n, g) => n + g.proxies, 0);
  return {
    workload, gateway, proxies: readings.length,
    percentages: [...new Set(sorted.flatMap((g) => g.percentages))].sort((a, b) => a - b),
    groups: sorted, disagreeing: traced - (sorted[0]?.proxies ?? 0), withoutListeners,
  };
}

function readWorkload(v: unknown, path: string): { readonly namespace: string; readonly envoys: WorkloadEnvoys } {
  const w = expectObject(v, path);
  const namespace = expectString(w.namespace, `${path}.namespace`);
  const workload = expectString(w.workload, `${path}.workload`);
  if (w.gateway !== undefined && typeof w.gateway !== 'boolean') throw new ShapeError(`${path}.gateway: expected true or false, got ${shown(w.gateway)}`);
  const proxies = expectArray(w.proxies, `${path}.proxies`).map((p, i) => readProxy(p, `${path}.proxies[${i}]`));
  const gateway = w.gateway === true || proxies.some((p) => p.router);
  return { namespace, envoys: summarise(workload, gateway, proxies.map((p) => p.reading)) };
}

/** The answer of `/api/sampling/effective` as namespace → workload → what its Envoys run, or what is wrong with it. */
export function parseEffective(json: unknown): Parsed<EffectiveRates> {
  try {
    const root = expectObject(json, 'answer');
    const out = new Map<string, Map<string, WorkloadEnvoys>>();
    expectArray(root.workloads, 'workloads').forEach((v, i) => {
      const { namespace, envoys } = readWorkload(v, `workloads[${i}]`);
      let ns = out.get(namespace);
      if (ns === undefined) out.set(namespace, ns = new Map<string, WorkloadEnvoys>());
      if (ns.has(envoys.workload)) throw new ShapeError(`workloads[${i}]: ${namespace}/${envoys.workload} listed twice`);
      ns.set(envoys.workload, envoys);
    });
    return { ok: true, value: out };
  } catch (err) {
    if (err instanceof ShapeError) return { ok: false, error: `unexpected answer from /api/sampling/effective: ${err.message}` };
    throw err;
  }
}
