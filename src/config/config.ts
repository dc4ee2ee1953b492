/**
 * The resolved, validated configuration of `meshtrace serve`. Precedence: flag > environment >
 * default. Every problem is reported at once, so a bad deployment fails fast with the full list.
 */
import { parseArgs } from 'node:util';
import { SERVE_OPTIONS, envName } from './options.js';
import type { OptionSpec, ServeOptionName } from './options.js';
import { parseDuration, parseSize } from './units.js';

export interface ServeConfig {
  readonly host: string;
  readonly zipkinPort: number;
  readonly otlpGrpcPort: number;
  readonly otlpHttpPort: number;
  readonly httpPort: number;
  readonly logLevel: string;
  readonly maxBodyBytes: number;
  readonly maxSpansPerBatch: number;
  readonly maxTagsPerSpan: number;
  readonly maxTagValueLength: number;
  readonly maxEventsPerSpan: number;
  readonly settleMs: number;
  readonly maxTraceAgeMs: number;
  readonly maxBufferedSpans: number;
  readonly retentionMs: number;
  readonly maxStoredSpans: number;
  readonly shutdownTimeoutMs: number;
  /** Whether settled traces feed the propagation audit (`--audit false`: a plain collector). */
  readonly auditEnabled: boolean;
  readonly auditWindowMs: number;
  readonly auditMinRequests: number;
  readonly auditMaxObservations: number;
  /** Bearer token for the dashboard and read APIs; undefined = open. */
  readonly authToken: string | undefined;
  /** `user:password` for basic auth on the same; undefined = open. */
  readonly authBasic: string | undefined;
  readonly redactTagKeys: readonly string[];
  readonly metricsMaxWorkloads: number;
  /** xDS sources; all empty = no xDS view. */
  readonly xds: {
    readonly configDumps: readonly string[];
    readonly istiodUrl: string | undefined;
    readonly adsTarget: string | undefined;
    readonly adsProxies: readonly string[];
    readonly refreshMs: number;
    readonly maxDumpBytes: number;
    /** What Istio should give each workload (drift's intended side); none = drift shows no intended rates. */
    readonly telemetryFiles: readonly string[];
    readonly meshConfigFile: string | undefined;
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

function convert(spec: OptionSpec, raw: string): number | string | undefined {
  switch (spec.type) {
    case 'port': {
      const n = Number(raw);
      return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
    }
    case 'count': {
      const n = Number(raw);
      return Number.isInteger(n) && n > 0 ? n : undefined;
    }
    case 'duration': return parseDuration(raw);
    case 'size': return parseSize(raw);
    case 'level': return LEVELS.has(raw) ? raw : undefined;
    case 'boolean': return raw === 'true' || raw === 'false' ? raw : undefined;
    default: return raw;
  }
}

const EXPECT: Record<OptionSpec['type'], string> = {
  port: 'a port number 0-65535', count: 'a positive integer', duration: 'a duration such as 10s, 5m or 1h',
  size: 'a size such as 5MiB or 512KB', level: 'one of fatal, error, warn, info, debug, trace, silent',
  string: 'a string', boolean: 'true or false',
};

function list(value: string): string[] {
  return String(value).split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** Checks that need the value, not just its type: auth syntax, xDS sources, redaction patterns. */
function crossChecks(r: Partial<Record<ServeOptionName, number | string>>): string[] {
  // Only string options are read here, and every one has a default: '' means unset.
  const text = (name: ServeOptionName): string => String(r[name] ?? '');
  const checks: [boolean, string][] = [
    [text('authBasic') !== '' && !/^[^:]+:.+$/.test(text('authBasic')), '--auth-basic: expected user:password'],
    [text('authToken') !== '' && text('authToken').length < 16, '--auth-token: use at least 16 characters'],
    [text('authToken') !== '' && text('authBasic') !== '', '--auth-token and --auth-basic: choose one'],
    [text('xdsIstiodUrl') !== '' && !/^https?:\/\/[^/]+/.test(text('xdsIstiodUrl')), '--xds-istiod-url: expected http(s)://host:port'],
    [text('xdsAdsTarget') !== '' && text('xdsAdsProxies') === '', '--xds-ads-target: also name the proxies to watch with --xds-ads-proxies'],
  ];
  const problems = checks.filter(([bad]) => bad).map(([, message]) => message);
  for (const p of list(text('redactTagKeys'))) {
    try {
      new RegExp(p, 'i');
    } catch (err) {
      problems.push(`--redact-tag-keys: ${JSON.stringify(p)} is not a regular expression (${(err as Error).message})`);
    }
  }
  return problems;
}

/** Resolves flags (already split from the command) and environment into a config. */
export function loadServeConfig(args: string[], env: NodeJS.ProcessEnv = process.env): ServeConfig {
  const names = Object.keys(SERVE_OPTIONS) as ServeOptionName[];
  const { values } = parseArgs({
    args,
    options: Object.fromEntries(names.map((n) => [SERVE_OPTIONS[n].flag, { type: 'string' as const }])),
    strict: true,
    allowPositionals: false,
  });
  const problems: string[] = [];
  const resolved: Partial<Record<ServeOptionName, number | string>> = {};
  for (const name of names) {
    const spec: OptionSpec = SERVE_OPTIONS[name];
    const fromFlag = values[spec.flag];
    const fromEnv = env[envName(spec.flag)];
    const raw = fromFlag ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : spec.default);
    const value = convert(spec, raw);
    const origin = fromFlag !== undefined ? `--${spec.flag}` : fromEnv ? envName(spec.flag) : `default of --${spec.flag}`;
    if (value === undefined) problems.push(`${origin}: got ${JSON.stringify(raw)}, expected ${EXPECT[spec.type]}`);
    else resolved[name] = value;
  }
  problems.push(...crossChecks(resolved));
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  const r = resolved as Record<ServeOptionName, number & string>;
  return Object.freeze({
    host: r.host, zipkinPort: r.zipkinPort, otlpGrpcPort: r.otlpGrpcPort, otlpHttpPort: r.otlpHttpPort, httpPort: r.httpPort,
    logLevel: r.logLevel, maxBodyBytes: r.maxBodySize, maxSpansPerBatch: r.maxSpansPerBatch, maxTagsPerSpan: r.maxTagsPerSpan,
    maxTagValueLength: r.maxTagValueLength, maxEventsPerSpan: r.maxEventsPerSpan, settleMs: r.settlePeriod,
    maxTraceAgeMs: r.maxTraceAge, maxBufferedSpans: r.maxBufferedSpans, retentionMs: r.retention,
    maxStoredSpans: r.maxStoredSpans, shutdownTimeoutMs: r.shutdownTimeout,
    auditEnabled: r.audit === 'true', auditWindowMs: r.auditWindow, auditMinRequests: r.auditMinRequests, auditMaxObservations: r.auditMaxObservations,
    authToken: r.authToken === '' ? undefined : r.authToken,
    authBasic: r.authBasic === '' ? undefined : r.authBasic,
    redactTagKeys: list(r.redactTagKeys),
    metricsMaxWorkloads: r.metricsMaxWorkloads,
    xds: {
      configDumps: list(r.xdsConfigDump), istiodUrl: r.xdsIstiodUrl === '' ? undefined : r.xdsIstiodUrl,
      adsTarget: r.xdsAdsTarget === '' ? undefined : r.xdsAdsTarget, adsProxies: list(r.xdsAdsProxies),
      refreshMs: r.xdsRefresh, maxDumpBytes: r.xdsMaxDumpSize,
      telemetryFiles: list(r.xdsTelemetry), meshConfigFile: r.xdsMeshConfig === '' ? undefined : r.xdsMeshConfig,
    },
  });
}

/** The `--help` text of `meshtrace serve`, generated from the option table. */
export function serveHelp(): string {
  const flags = Object.values(SERVE_OPTIONS).map((s: OptionSpec) => ({ left: `  --${s.flag} <${s.type}>`, spec: s }));
  // Wide enough for the longest flag and two spaces, so no help text runs into its flag.
  const width = Math.max(34, ...flags.map((f) => f.left.length + 2));
  const indent = ''.padEnd(width);
  const rows = flags.map(({ left, spec }) => `${left.padEnd(width)}${spec.help}\n${indent}env ${envName(spec.flag)}, default ${spec.default}`);
  const extra = [
    `${'  --demo'.padEnd(width)}also play simulated Bookinfo traffic (reviews drops headers) into this server`,
    `${'  --help'.padEnd(width)}show this help`,
  ];
  return `Usage: meshtrace serve [options]\n\nRuns the collector: Zipkin and OTLP ingest, trace assembly, the read APIs.\n\nOptions (flag > environment > default):\n${[...rows, ...extra].join('\n')}\n`;
}
