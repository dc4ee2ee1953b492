/**
 * Fuzzes every ingest endpoint over real sockets with a few thousand seeded malformed inputs:
 * random bytes, truncated/flipped/spliced valid payloads (bench/encode.ts), random JSON and
 * valid JSON with a node replaced, some gzip-wrapped, plus deep-nesting probes. Every answer must
 * be a client error or success (never 500, never a dropped connection), and the server must stay
 * ready and keep ingesting afterwards.
 */
import * as grpc from '@grpc/grpc-js';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpJson, otlpProto, zipkinJson, zipkinProto } from '../../bench/encode.js';
import { envoyBatches } from '../../bench/envoy-spans.js';
import {
  deepJsonArray, deepOtlpJson, deepOtlpProto, int, mutateBytes, mutateJson, pool, randomBytes, randomJson, rng,
} from '../helpers/fuzz.js';
import type { Rand } from '../helpers/fuzz.js';
import { hexId, otlpProtoBody, otlpSpan, zipkinSpans } from '../helpers/payloads.js';
import { get, grpcClient, grpcExport, post, zipkinTrace } from '../helpers/server.js';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';

const PER_TARGET = 700;
const HTTP_OK = new Set([200, 202, 400, 413, 415]);
const GRPC_OK = new Set([grpc.status.OK, grpc.status.INVALID_ARGUMENT]);

interface Input { kind: string; body: Buffer; gzip: boolean }
interface Target { name: string; contentType: string | undefined; valid: Buffer; validJson: unknown }

const batch = envoyBatches(12, 12, 7, 1_700_000_000_000_000)[0]!;
const richZipkin = {
  traceId: '0af7651916cd43dd', id: 'b7ad6b7169203331', parentId: '00f067aa0ba902b7', kind: 'SERVER', name: 'get', timestamp: 1700000000000000,
  duration: 1, shared: true, debug: true, localEndpoint: { serviceName: 'a', ipv6: '::1', port: 80 }, remoteEndpoint: { ipv4: '10.0.0.1' },
  annotations: [{ timestamp: 1700000000000001, value: 'wr' }], tags: { error: '' },
};
const richOtlp = {
  traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'rich', kind: 3,
  startTimeUnixNano: '1700000000123456789', endTimeUnixNano: '1700000000223456789',
  attributes: [{ key: 'kv', value: { kvlistValue: { values: [{ key: 'a', value: { arrayValue: { values: [{ intValue: '-4' }, { doubleValue: 2.5 }, { bytesValue: 'AQID' }] } } }] } } }],
  events: [{ timeUnixNano: '1700000000150000000', name: 'retry', attributes: [{ key: 'n', value: { boolValue: true } }] }],
  links: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b8', traceState: 'x=1' }],
  status: { code: 2, message: 'boom' },
};
const zipkinValid = [...(JSON.parse(zipkinJson(batch).toString()) as unknown[]), richZipkin];
const otlpValid = JSON.parse(otlpJson(batch).toString()) as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] };
otlpValid.resourceSpans[0]!.scopeSpans[0]!.spans.push(richOtlp);

const TARGETS: Target[] = [
  { name: 'zipkin-json', contentType: 'application/json', valid: Buffer.from(JSON.stringify(zipkinValid)), validJson: zipkinValid },
  { name: 'zipkin-proto', contentType: 'application/x-protobuf', valid: zipkinProto(batch, true), validJson: undefined },
  { name: 'otlp-proto', contentType: 'application/x-protobuf', valid: otlpProto(batch), validJson: undefined },
  { name: 'otlp-json', contentType: 'application/json', valid: Buffer.from(JSON.stringify(otlpValid)), validJson: otlpValid },
  { name: 'otlp-grpc', contentType: undefined, valid: otlpProto(batch), validJson: undefined },
];

function generate(rand: Rand, t: Target): Input[] {
  const inputs: Input[] = [];
  const json = t.validJson !== undefined;
  for (let i = 0; i < PER_TARGET; i++) {
    const r = rand();
    let kind: string;
    let body: Buffer;
    if (r < 0.2) [kind, body] = ['random-bytes', randomBytes(rand)];
    else if (r < 0.6 || !json) [kind, body] = ['mutated-bytes', mutateBytes(rand, t.valid)];
    else if (r < 0.75) [kind, body] = ['random-json', Buffer.from(JSON.stringify(randomJson(rand, 4)) ?? 'null')];
    else [kind, body] = ['mutated-json', Buffer.from(JSON.stringify(mutateJson(rand, t.validJson)) ?? 'null')];
    const gzip = t.contentType !== undefined && int(rand, 10) === 0;
    inputs.push({ kind: gzip ? `${kind}+gzip` : kind, body: gzip ? gzipSync(body) : body, gzip });
  }
  const deep = t.name.startsWith('otlp') ? (json ? deepOtlpJson(5000, hexId(32), hexId(16)) : deepOtlpProto(5000)) : deepJsonArray(100_000);
  inputs.push({ kind: 'deep-nesting', body: deep, gzip: false });
  return inputs;
}

interface Failure { target: string; kind: string; index: number; answer: string; input: string }

describe('fuzzing every ingest endpoint', () => {
  let server: TestServer;
  let client: grpc.Client;
  beforeAll(async () => {
    server = await startTestServer();
    client = grpcClient(server);
  });
  afterAll(async () => {
    client.close();
    await server.close();
  });

  it(`answers ${TARGETS.length} × ${PER_TARGET} malformed inputs with client errors only, then still works`, async () => {
    const rand = rng(20240611);
    const failures: Failure[] = [];
    const counts: Record<string, Record<string, number>> = {};
    for (const t of TARGETS) {
      const inputs = generate(rand, t);
      const tally = (counts[t.name] = {} as Record<string, number>);
      await pool(inputs, 16, async (input, index) => {
        let answer: string;
        let ok: boolean;
        try {
          if (t.contentType === undefined) {
            const { error } = await grpcExport(client, input.body);
            const code = error?.code ?? grpc.status.OK;
            ok = GRPC_OK.has(code);
            answer = `${grpc.status[code]}${error ? `: ${error.details}` : ''}`;
          } else {
            const url = t.name.startsWith('zipkin') ? `${server.zipkin}/api/v2/spans` : `${server.otlpHttp}/v1/traces`;
            const res = await post(url, input.body, { 'content-type': t.contentType, ...(input.gzip ? { 'content-encoding': 'gzip' } : {}) });
            ok = HTTP_OK.has(res.status);
            answer = `${res.status} ${res.text.slice(0, 200)}`;
          }
        } catch (err) {
          ok = false;
          answer = `transport error: ${String(err)}`;
        }
        const key = answer.split(/[ :]/, 1)[0]!;
        tally[key] = (tally[key] ?? 0) + 1;
        if (!ok) failures.push({ target: t.name, kind: input.kind, index, answer, input: input.body.subarray(0, 120).toString('base64') });
      });
    }
    expect(failures.slice(0, 5), `${failures.length} bad answers; tallies ${JSON.stringify(counts)}`).toEqual([]);
    // The generators must actually reach both sides: some inputs refused, some (partly) accepted.
    for (const t of TARGETS) {
      const tally = counts[t.name]!;
      const refused = (tally['400'] ?? 0) + (tally['INVALID_ARGUMENT'] ?? 0);
      expect(refused, `${t.name} ${JSON.stringify(tally)}`).toBeGreaterThan(PER_TARGET / 10);
    }

    // Still healthy and still ingesting on every protocol.
    expect((await get(`${server.api}/readyz`)).status).toBe(200);
    const spans = zipkinSpans(2);
    expect((await post(`${server.zipkin}/api/v2/spans`, JSON.stringify(spans))).status).toBe(202);
    await zipkinTrace(server, spans[0]!.traceId, 2);
    const otlp = otlpSpan();
    expect((await post(`${server.otlpHttp}/v1/traces`, otlpProtoBody([otlp]), { 'content-type': 'application/x-protobuf' })).status).toBe(200);
    const grpcSpan = otlpSpan();
    expect((await grpcExport(client, otlpProtoBody([grpcSpan]))).error).toBeUndefined();
    await zipkinTrace(server, otlp.traceId);
    await zipkinTrace(server, grpcSpan.traceId);
    expect((await get(`${server.api}/api/status`)).status).toBe(200);
  });
});
