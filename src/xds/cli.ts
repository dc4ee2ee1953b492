/**
 * `meshtrace xds inspect FILE...`: the tracing configuration each proxy runs, from Envoy config
 * dumps, and (with `--telemetry` / `--mesh-config`) its drift from what Istio was asked for.
 */
import { parseArgs } from 'node:util';
import { driftReport } from './drift.js';
import { groupWorkloads, proxyTracingInSlices } from './effective.js';
import { intendedResolver } from './intended.js';
import { readIntendedFiles } from './intended-files.js';
import { DEFAULT_MAX_DUMP_BYTES, readDumpFile } from './load-dump.js';
import type { IntendedSampling, ProxyTracing, WorkloadDrift, WorkloadTracing } from './types.js';

export const XDS_HELP = `Usage: meshtrace xds inspect [--telemetry FILE]... [--mesh-config FILE] [--json] [--max-dump-mib N] FILE...

Reads Envoy config dumps (curl localhost:15000/config_dump, istioctl proxy-config all -o json,
istiod /debug/config_dump?proxyID=…) and prints, per workload and pod, the tracing each Envoy
runs: provider, collector, sampling on inbound/outbound listeners, last update. With the Telemetry
resources (YAML, several per file; SamplingPolicies in them are listed as sources) and the mesh
config (its YAML, or the istio ConfigMap), also prints what Istio should run, resolved with the
SamplingPolicy controller's precedence rules, and the sampling drift findings.
Exit status: 0 all files read, 1 a file could not be read, 2 usage error.
`;

interface Out { write(s: string): unknown }

function pct(values: readonly number[] | undefined): string {
  if (values === undefined) return '-';
  return values.length === 0 ? 'off' : values.map((v) => `${Number(v.toFixed(4))}%`).join('/');
}

function proxyLine(p: ProxyTracing): string {
  const prov = p.provider === undefined ? 'none' : `${p.provider.kind}${p.provider.collectorCluster === undefined ? '' : ` → ${p.provider.collectorCluster}`}`;
  const sides = (['inbound', 'outbound', 'gateway'] as const).filter((s) => p.sides[s] !== undefined).map((s) => `${s} ${pct(p.sides[s]?.percentages)}`).join(', ');
  return `  ${p.proxy.pod ?? p.proxy.id}  istio ${p.proxy.istioVersion ?? '?'} envoy ${p.proxy.envoyVersion ?? '?'}  ${prov}  ${sides || 'no HTTP listeners'}  updated ${p.lastUpdated ?? '?'}\n`;
}

function intendedLine(i: IntendedSampling): string {
  if (i.tracingEnabled === false) return '  intended: no tracing\n';
  const source = i.sources.find((x) => x.effect === 'decides') ?? i.sources[0];
  return `  intended ${i.percentage}% (${source?.kind ?? '?'} ${source?.ref ?? ''})\n`;
}

function formatText(workloads: readonly WorkloadTracing[], drift: readonly WorkloadDrift[] | undefined): string {
  let s = '';
  for (const w of workloads) {
    s += `${w.key}${w.gateway ? ' (gateway)' : ''}\n`;
    for (const p of w.proxies) {
      s += proxyLine(p);
      for (const problem of p.problems) s += `    ! ${problem}\n`;
    }
    const d = drift?.find((x) => x.key === w.key);
    if (d?.intended !== undefined) s += intendedLine(d.intended);
    for (const f of d?.findings ?? []) s += `  ${f.kind}: ${f.reason}\n`;
  }
  return s;
}

interface InspectArgs { readonly files: string[]; readonly telemetry: string[]; readonly meshConfig: string | undefined; readonly json: boolean; readonly maxBytes: number }

/** The parsed `inspect` arguments, or a usage message. */
function inspectArgs(rest: string[]): InspectArgs | { usage: string; help?: boolean } {
  let parsed;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options: {
      telemetry: { type: 'string', multiple: true }, 'mesh-config': { type: 'string' }, json: { type: 'boolean', default: false },
      'max-dump-mib': { type: 'string' }, help: { type: 'boolean', short: 'h', default: false },
    } });
  } catch (e) {
    return { usage: (e as Error).message };
  }
  const { values, positionals } = parsed;
  if (values.help) return { usage: '', help: true };
  if (positionals.length === 0) return { usage: `inspect needs at least one config dump\n\n${XDS_HELP}` };
  const mib = values['max-dump-mib'] === undefined ? undefined : Number(values['max-dump-mib']);
  if (mib !== undefined && !(mib > 0)) return { usage: '--max-dump-mib must be a positive number' };
  return {
    files: positionals, telemetry: values.telemetry ?? [], meshConfig: values['mesh-config'], json: values.json,
    maxBytes: mib === undefined ? DEFAULT_MAX_DUMP_BYTES : mib * 1048576,
  };
}

/** Without Telemetry or mesh config there is nothing to say what was intended: effective only. */
async function intendedDrift(workloads: readonly WorkloadTracing[], a: InspectArgs, err: Out): Promise<WorkloadDrift[]> {
  if (a.telemetry.length === 0 && a.meshConfig === undefined) return driftReport(workloads, {});
  const { inputs, problems } = await readIntendedFiles(a.telemetry, a.meshConfig);
  for (const p of problems) err.write(`meshtrace xds: ${p}\n`);
  return driftReport(workloads, { intended: intendedResolver(inputs) });
}

async function readProxies(a: InspectArgs, err: Out): Promise<{ proxies: ProxyTracing[]; failed: boolean }> {
  let failed = false;
  const proxies: ProxyTracing[] = [];
  for (const file of a.files) {
    const dump = await readDumpFile(file, { maxBytes: a.maxBytes });
    if (dump.ok) {
      proxies.push(await proxyTracingInSlices(dump.value));
    } else {
      err.write(`meshtrace xds: ${dump.error}\n`);
      failed = true;
    }
  }
  return { proxies, failed };
}

export async function xdsCommand(args: string[], out: Out = process.stdout, err: Out = process.stderr): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    out.write(XDS_HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'inspect') {
    err.write(`meshtrace xds: unknown subcommand '${sub}'\n\n${XDS_HELP}`);
    return 2;
  }
  const a = inspectArgs(rest);
  if ('usage' in a) {
    if (a.help === true) out.write(XDS_HELP);
    else err.write(`meshtrace xds: ${a.usage}\n`);
    return a.help === true ? 0 : 2;
  }
  const { proxies, failed } = await readProxies(a, err);
  const workloads = groupWorkloads(proxies);
  let drift: WorkloadDrift[];
  try {
    drift = await intendedDrift(workloads, a, err);
  } catch (e) {
    err.write(`meshtrace xds: ${(e as Error).message}\n`);
    return 2;
  }
  out.write(a.json ? JSON.stringify({ workloads, drift }, null, 2) + '\n' : formatText(workloads, drift));
  return failed ? 1 : 0;
}
