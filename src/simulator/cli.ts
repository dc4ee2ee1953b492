/**
 * `meshtrace simulate`: play a mesh application's traffic, as its Istio proxies would report it,
 * into a running meshtrace, optionally with some apps set to break header propagation.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { BEHAVIOURS, isBehaviour } from './behaviours.js';
import { play } from './send.js';
import type { PlayTarget } from './send.js';
import { simulate, topologyWorkloads } from './simulate.js';
import { TOPOLOGIES, isTopologyName } from './topologies/index.js';
import type { Behaviour, GroundTruth, Provider, SimBatch, SimulationOptions } from './types.js';

export const SIMULATE_HELP = `Usage: meshtrace simulate [options]

Plays user requests through a simulated Istio mesh and sends the spans its gateway and sidecars
would report to a running meshtrace: Zipkin v2 JSON to :9411/api/v2/spans (zipkin provider) or
OTLP protobuf to :4318/v1/traces (opentelemetry provider).

Options:
  --topology NAME          ${TOPOLOGIES.join(' | ')} (default bookinfo)
  --provider NAME          zipkin | opentelemetry (default zipkin)
  --sampling PERCENT       Istio randomSamplingPercentage, 0-100 (default 100)
  --concurrency N          user requests in flight at the ingress gateway (default 20)
  --requests N             user requests to play (default 2000)
  --skew-ms MS             each pod's clock is off by up to ±MS (default 0)
  --behaviour WORKLOAD=B   what WORKLOAD's app forwards; repeatable. B is one of
                           ${BEHAVIOURS.join(', ')}
                           (default forward-all for every workload)
  --seed N                 PRNG seed; the same seed gives the same spans (default 1)
  --url URL                meshtrace's address; ports 9411/4318 are added unless URL has one
                           (default http://127.0.0.1)
  --zipkin-url URL         Zipkin ingest base URL (overrides --url), e.g. http://host:9411
  --otlp-url URL           OTLP/HTTP base URL (overrides --url), e.g. http://host:4318
  --realtime               deliver batches at their simulated times instead of at once
  --truth FILE             write the ground truth (workloads, orphan roots) as JSON to FILE
  --dry-run                simulate and write --truth, but send nothing
  -h, --help               show this help

Example:
  meshtrace simulate --topology bookinfo --sampling 10 --behaviour reviews=forward-none --truth truth.json
`;

class UsageError extends Error {}

const OPTIONS = {
  'topology': { type: 'string', default: 'bookinfo' },
  'provider': { type: 'string', default: 'zipkin' },
  'sampling': { type: 'string', default: '100' },
  'concurrency': { type: 'string', default: '20' },
  'requests': { type: 'string', default: '2000' },
  'skew-ms': { type: 'string', default: '0' },
  'behaviour': { type: 'string', multiple: true, default: [] as string[] },
  'seed': { type: 'string', default: '1' },
  'url': { type: 'string', default: 'http://127.0.0.1' },
  'zipkin-url': { type: 'string' },
  'otlp-url': { type: 'string' },
  'realtime': { type: 'boolean', default: false },
  'truth': { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  'help': { type: 'boolean', short: 'h', default: false },
} satisfies ParseArgsConfig['options'];

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true; allowPositionals: false }>>['values'];

function number(flag: string, raw: string, opts: { integer?: boolean; min: number; max?: number }): number {
  const value = raw.trim() === '' ? NaN : Number(raw);
  const kind = opts.integer === true ? 'an integer' : 'a number';
  const range = opts.max === undefined ? `>= ${opts.min}` : `within ${opts.min}..${opts.max}`;
  if (!Number.isFinite(value) || (opts.integer === true && !Number.isInteger(value)) || value < opts.min || (opts.max !== undefined && value > opts.max)) {
    throw new UsageError(`--${flag} must be ${kind} ${range}, not '${raw}'`);
  }
  return value;
}

function behaviours(entries: readonly string[], topology: SimulationOptions['topology']): Record<string, Behaviour> {
  const known = topologyWorkloads(topology).filter((w) => w.role !== 'gateway').map((w) => w.workload);
  const out: Record<string, Behaviour> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const [name, behaviour] = eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
    if (!isBehaviour(behaviour)) throw new UsageError(`--behaviour '${entry}': expected WORKLOAD=BEHAVIOUR with BEHAVIOUR one of ${BEHAVIOURS.join(', ')}`);
    if (!known.includes(name)) throw new UsageError(`--behaviour '${entry}': ${topology} has no workload '${name}' (it has ${known.join(', ')})`);
    out[name] = behaviour;
  }
  return out;
}

function baseUrl(flag: string, raw: string, defaultPort: number | undefined): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--${flag} '${raw}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--${flag} '${raw}' must be http:// or https://`);
  if (url.port === '' && defaultPort !== undefined) url.port = String(defaultPort);
  return url.toString().replace(/\/+$/, '');
}

interface Command {
  readonly options: SimulationOptions;
  readonly target: PlayTarget;
  readonly realtime: boolean;
  readonly truthFile: string | undefined;
  readonly dryRun: boolean;
}

function command(v: Values): Command {
  if (!isTopologyName(v.topology)) throw new UsageError(`--topology must be one of ${TOPOLOGIES.join(', ')}, not '${v.topology}'`);
  if (v.provider !== 'zipkin' && v.provider !== 'opentelemetry') throw new UsageError(`--provider must be zipkin or opentelemetry, not '${v.provider}'`);
  const provider: Provider = v.provider;
  const options: SimulationOptions = {
    topology: v.topology, provider,
    samplingPercent: number('sampling', v.sampling, { min: 0, max: 100 }),
    concurrency: number('concurrency', v.concurrency, { integer: true, min: 1 }),
    requests: number('requests', v.requests, { integer: true, min: 0 }),
    clockSkewMs: number('skew-ms', v['skew-ms'], { min: 0 }),
    behaviours: behaviours(v.behaviour, v.topology),
    seed: number('seed', v.seed, { integer: true, min: -(2 ** 31) }),
  };
  const target: PlayTarget = provider === 'zipkin'
    ? { zipkinUrl: v['zipkin-url'] !== undefined ? baseUrl('zipkin-url', v['zipkin-url'], undefined) : baseUrl('url', v.url, 9411) }
    : { otlpHttpUrl: v['otlp-url'] !== undefined ? baseUrl('otlp-url', v['otlp-url'], undefined) : baseUrl('url', v.url, 4318) };
  return { options, target, realtime: v.realtime, truthFile: v.truth, dryRun: v['dry-run'] };
}

const fmt = (n: number): string => n.toLocaleString('en-US');

function breakSummary(truth: GroundTruth): string {
  const set = truth.workloads.filter((w) => w.role === 'service' && w.behaviour !== 'forward-all');
  if (set.length === 0) return 'Every workload forwards all trace headers, so no trace should split.';
  const parts = set.map((w) => {
    const orphans = truth.orphans.filter((o) => o.workload === w.workload).length;
    return w.breaks
      ? `${w.workload} (${w.behaviour}: ${fmt(w.brokenCalls)} of ${fmt(w.outboundCalls)} outbound calls lost the trace context, ${fmt(orphans)} sampled orphan roots)`
      : `${w.workload} (${w.behaviour}: keeps the trace under ${truth.options.provider}${w.behaviour === 'drop-async' ? ', or made no async calls' : ''})`;
  });
  return `Set to break: ${parts.join('; ')}.`;
}

function summary(truth: GroundTruth, batches: SimBatch[], sent: string): string {
  const o = truth.options;
  const lastDeliveryS = ((truth.endUs - o.startUs!) / 1e6).toFixed(1);
  return `Simulated ${fmt(o.requests)} user requests through ${o.topology} (${o.provider} provider, ${o.samplingPercent}% sampling, `
    + `concurrency ${o.concurrency}, clock skew ±${o.clockSkewMs} ms, seed ${o.seed}): ${fmt(truth.emittedSpans)} spans in ${fmt(batches.length)} batches `
    + `(the last delivered ${lastDeliveryS} s of simulated time after the first request). ${sent} ${breakSummary(truth)}\n`;
}

/** Runs `meshtrace simulate`; returns the exit code (2 for bad flags, 1 when batches were not delivered). */
export async function simulateCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  let cmd: Command;
  try {
    const { values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false });
    if (values.help) {
      out.write(SIMULATE_HELP);
      return 0;
    }
    cmd = command(values);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    out.write(`meshtrace simulate: ${message}\nRun 'meshtrace simulate --help' for usage.\n`);
    return 2;
  }

  const { batches, truth } = simulate(cmd.options);
  if (cmd.truthFile !== undefined) await writeFile(cmd.truthFile, `${JSON.stringify(truth, null, 2)}\n`);
  const truthNote = cmd.truthFile !== undefined ? ` Ground truth written to ${cmd.truthFile}.` : '';
  if (cmd.dryRun) {
    out.write(summary(truth, batches, `Nothing sent (--dry-run).${truthNote}`));
    return 0;
  }

  const url = cmd.options.provider === 'zipkin' ? `${cmd.target.zipkinUrl!}/api/v2/spans` : `${cmd.target.otlpHttpUrl!}/v1/traces`;
  out.write(`meshtrace simulate: sending ${fmt(batches.length)} batches to ${url}${cmd.realtime ? ' in real time' : ''}\n`);
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  let reported = 0;
  try {
    const result = await play(batches, cmd.options.provider, cmd.target, {
      realtime: cmd.realtime,
      signal: abort.signal,
      onProgress: (sent, total) => {
        // About ten progress lines per run, whatever its size.
        if (sent === total || sent - reported >= Math.max(1, Math.ceil(total / 10))) {
          reported = sent;
          out.write(`  ${fmt(sent)}/${fmt(total)} batches\n`);
        }
      },
    });
    const stopped = abort.signal.aborted ? ' Interrupted before the end.' : '';
    const failed = result.failures > 0 ? `, ${fmt(result.failures)} failed (is meshtrace listening there?)` : '';
    out.write(summary(truth, batches, `Sent ${fmt(result.batches)} batches (${fmt(result.spans)} spans) to ${url}${failed}.${stopped}${truthNote}`));
    return result.failures > 0 || abort.signal.aborted ? 1 : 0;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
