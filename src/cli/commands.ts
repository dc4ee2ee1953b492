/** `meshtrace report` and `meshtrace audit`: the propagation report from a server or from files. */
import { parseArgs } from 'node:util';
import type { PropagationReport } from '../propagation-audit/index.js';
import { auditFiles } from './audit-files.js';
import { formatReport } from './report-table.js';

export const REPORT_HELP = `Usage: meshtrace report [--url http://127.0.0.1:8080] [--window 15m] [--namespace NS] [--json]

Prints the propagation report of a running meshtrace: which workloads drop trace headers,
towards whom, and the evidence.
`;

export const AUDIT_HELP = `Usage: meshtrace audit [--json] [--min-requests N] FILE...

Runs the propagation audit offline over exported spans: Zipkin v2 JSON (span arrays or
/api/v2/traces output) or OTLP/JSON (one request per file or per line).
`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export async function reportCommand(args: string[], out: NodeJS.WritableStream): Promise<void> {
  const { values } = parseArgs({ args, options: {
    url: { type: 'string', default: 'http://127.0.0.1:8080' }, window: { type: 'string' }, namespace: { type: 'string' },
    json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false },
  } });
  if (values.help) {
    out.write(REPORT_HELP);
    return;
  }
  const url = new URL('/api/propagation/report', values.url);
  if (values.window !== undefined) url.searchParams.set('window', values.window);
  if (values.namespace !== undefined) url.searchParams.set('namespace', values.namespace);
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new UsageError(`cannot reach meshtrace at ${values.url}: ${(err as { cause?: Error }).cause?.message ?? (err as Error).message}`);
  }
  const body = await res.json() as PropagationReport & { message?: string };
  if (!res.ok) throw new UsageError(`${url.toString()} answered ${res.status}: ${body.message ?? ''}`);
  out.write(values.json ? JSON.stringify(body, null, 2) + '\n' : formatReport(body));
}

export async function auditCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: {
    json: { type: 'boolean', default: false }, 'min-requests': { type: 'string' }, help: { type: 'boolean', short: 'h', default: false },
  } });
  if (values.help) {
    out.write(AUDIT_HELP);
    return;
  }
  if (positionals.length === 0) throw new UsageError(`audit needs at least one file\n\n${AUDIT_HELP}`);
  const minRequests = values['min-requests'] === undefined ? undefined : Number(values['min-requests']);
  if (minRequests !== undefined && !(Number.isInteger(minRequests) && minRequests > 0)) throw new UsageError('--min-requests must be a positive integer');
  const result = await auditFiles(positionals, minRequests === undefined ? {} : { minRequests });
  for (const p of result.problems) err.write(`meshtrace audit: ${p}\n`);
  err.write(`meshtrace audit: ${result.spans} spans in ${result.traces} traces${result.rejected > 0 ? `, ${result.rejected} rejected` : ''}\n`);
  out.write(values.json ? JSON.stringify(result.analysis.report, null, 2) + '\n' : formatReport(result.analysis.report));
}
