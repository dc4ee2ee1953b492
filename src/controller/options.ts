/**
 * `meshtrace controller` settings: one table gives flag, environment variable, default and help,
 * as src/config does for `meshtrace serve`. Precedence: flag > environment > default.
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { envName, parseDuration } from '../config/index.js';

type Kind = 'string' | 'duration' | 'count' | 'boolean';
interface Spec { readonly type: Kind; readonly default: string; readonly help: string }

export const CONTROLLER_OPTIONS = {
  kubeconfig: { type: 'string', default: '', help: 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, then in-cluster)' },
  context: { type: 'string', default: '', help: 'kubeconfig context' },
  'root-namespace': { type: 'string', default: 'istio-system', help: 'Istio root namespace (meshConfig.rootNamespace): mesh-wide policies and the istio ConfigMap' },
  'resync-period': { type: 'duration', default: '5m', help: 'reconcile every policy this often even without changes' },
  'meshtrace-url': { type: 'string', default: '', help: 'meshtrace API (e.g. http://meshtrace.istio-system:8080): trace-start rates for adaptive policies and Ineffective checks; what the Envoys run, for Effective' },
  'meshtrace-token': { type: 'string', default: '', help: 'bearer token for --meshtrace-url (prefer the env variable)' },
  'adaptive-window': { type: 'duration', default: '5m', help: 'rate measurement window; also the least time between two adaptive changes' },
  'adaptive-interval': { type: 'duration', default: '1m', help: 'how often adaptive policies are re-evaluated' },
  'leader-elect': { type: 'boolean', default: 'true', help: 'elect a leader through a Lease, so replicas are safe' },
  'lease-namespace': { type: 'string', default: '', help: 'namespace of the Lease (default: the root namespace)' },
  'lease-name': { type: 'string', default: 'meshtrace-controller', help: 'name of the Lease' },
  'lease-duration': { type: 'duration', default: '15s', help: 'how long a leader\'s Lease lasts without renewal' },
  identity: { type: 'string', default: '', help: 'this replica\'s Lease holder identity (default: hostname_pid)' },
  concurrency: { type: 'count', default: '2', help: 'policies reconciled at once (each keeps up to three API requests in flight)' },
  'inspect-pods': { type: 'boolean', default: 'true', help: 'list targeted pods for per-workload status (needs pods list)' },
  'log-level': { type: 'string', default: 'info', help: 'fatal, error, warn, info, debug or trace' },
  'shutdown-timeout': { type: 'duration', default: '10s', help: 'how long SIGTERM waits for in-flight reconciles' },
} as const satisfies Record<string, Spec>;

export interface ControllerConfig {
  readonly kubeconfig: string | undefined;
  readonly context: string | undefined;
  readonly rootNamespace: string;
  readonly resyncMs: number;
  readonly meshtraceUrl: string | undefined;
  readonly meshtraceToken: string | undefined;
  readonly adaptiveWindowMs: number;
  readonly adaptiveIntervalMs: number;
  readonly leaderElection: boolean;
  readonly leaseNamespace: string;
  readonly leaseName: string;
  readonly leaseDurationSeconds: number;
  readonly identity: string;
  readonly concurrency: number;
  readonly inspectPods: boolean;
  readonly logLevel: string;
  readonly shutdownTimeoutMs: number;
  readonly help: boolean;
}

type Name = keyof typeof CONTROLLER_OPTIONS;

function convert(type: Kind, raw: string): string | number | boolean | undefined {
  switch (type) {
    case 'duration': { const ms = parseDuration(raw); return ms !== undefined && ms > 0 ? ms : undefined; }
    case 'count': { const n = Number(raw); return Number.isInteger(n) && n > 0 ? n : undefined; }
    case 'boolean': return raw === 'true' ? true : raw === 'false' ? false : undefined;
    default: return raw;
  }
}

export class ControllerConfigError extends Error {
  override readonly name = 'ControllerConfigError';
}

export function loadControllerConfig(args: string[], env: NodeJS.ProcessEnv): ControllerConfig {
  const names = Object.keys(CONTROLLER_OPTIONS) as Name[];
  const { values } = parseArgs({ args, strict: true, allowPositionals: false, options: {
    ...Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])), help: { type: 'boolean', short: 'h' },
  } });
  const problems: string[] = [];
  const r: Partial<Record<Name, string | number | boolean>> = {};
  for (const name of names) {
    const spec: Spec = CONTROLLER_OPTIONS[name];
    const flag = (values as Record<string, unknown>)[name] as string | undefined;
    const fromEnv = env[envName(name)];
    const raw = flag ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : spec.default);
    const value = convert(spec.type, raw);
    if (value === undefined) problems.push(`${flag !== undefined ? `--${name}` : envName(name)}: got ${JSON.stringify(raw)}, expected a ${spec.type}`);
    else r[name] = value;
  }
  if (problems.length > 0) throw new ControllerConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  const str = (n: Name): string | undefined => (r[n] === '' ? undefined : r[n] as string);
  const root = r['root-namespace'] as string;
  return {
    kubeconfig: str('kubeconfig'), context: str('context'), rootNamespace: root,
    resyncMs: r['resync-period'] as number, meshtraceUrl: str('meshtrace-url'), meshtraceToken: str('meshtrace-token'),
    adaptiveWindowMs: r['adaptive-window'] as number, adaptiveIntervalMs: r['adaptive-interval'] as number,
    leaderElection: r['leader-elect'] as boolean, leaseNamespace: str('lease-namespace') ?? root, leaseName: r['lease-name'] as string,
    leaseDurationSeconds: Math.max(1, Math.round((r['lease-duration'] as number) / 1000)),
    identity: str('identity') ?? `${hostname()}_${process.pid}`, concurrency: r.concurrency as number,
    inspectPods: r['inspect-pods'] as boolean, logLevel: r['log-level'] as string, shutdownTimeoutMs: r['shutdown-timeout'] as number,
    help: values.help === true,
  };
}

export function controllerOptionsHelp(): string {
  return Object.entries(CONTROLLER_OPTIONS).map(([flag, s]: [string, Spec]) =>
    `  ${`--${flag} <${s.type}>`.padEnd(32)}${s.help}\n${''.padEnd(34)}env ${envName(flag)}${s.default !== '' ? `, default ${s.default}` : ''}`).join('\n');
}
