import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { samplingRoutes } from '../server/sampling-routes.js';
import { XdsState, proxyTracing, readConfigDump } from '../xds/index.js';
import type { ProxyTracing } from '../xds/index.js';
import { parseEffective } from './effective-rates.js';
import type { EffectiveRates } from './effective-rates.js';

const fixture = (file: string): ProxyTracing => {
  const r = readConfigDump(JSON.parse(readFileSync(join(process.cwd(), 'test', 'xds', 'fixtures', file), 'utf8')), file);
  if (!r.ok) throw new Error(r.error);
  return proxyTracing(r.value);
};

const ok = (json: unknown): EffectiveRates => {
  const r = parseEffective(json);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

const side = (percentages: number[], enabledHcms = percentages.length) => ({ percentages, providers: ['zipkin'], enabledHcms, disabledHcms: [] });
const answer = (proxies: unknown[], over: Record<string, unknown> = {}) =>
  ({ workloads: [{ key: 'shop/reviews', namespace: 'shop', workload: 'reviews', gateway: false, proxies, ...over }], errors: {} });

describe('parseEffective: what meshtrace\'s /api/sampling/effective answers', () => {
  it('reads the answer of the real route: the deciding side per proxy, pods that disagree, gateways', async () => {
    const state = new XdsState();
    const pods = ['sidecar-zipkin-reviews-v1-7d9f6c5b8-2xk4p.json', 'sidecar-zipkin-reviews-v1-7d9f6c5b8-9qlmz.json', 'gateway-zipkin.json'].map(fixture);
    for (const p of pods) state.put(p);
    const app = Fastify();
    await samplingRoutes(app, { state });
    const body: unknown = (await app.inject({ url: '/api/sampling/effective' })).json();
    await app.close();

    const rates = ok(body);
    const reviews = rates.get('default')?.get('reviews');
    // The two reviews pods run different inbound rates (the drift fixtures' stale pod).
    const inbound = pods.slice(0, 2).map((p) => p.sides.inbound!.percentages);
    expect(reviews).toMatchObject({ workload: 'reviews', gateway: false, proxies: 2, disagreeing: 1, withoutListeners: 0 });
    expect(reviews?.percentages).toEqual([...new Set(inbound.flat())].sort((a, b) => a - b));
    expect(reviews?.percentages).toEqual([1, 10]);
    const gateway = rates.get('istio-system')?.get('istio-ingressgateway');
    expect(gateway).toMatchObject({ gateway: true, proxies: 1, disagreeing: 0 });
    expect(gateway?.percentages).toEqual(pods[2]!.sides.gateway!.percentages);
  });

  it('groups proxies by what they run, the largest group first', () => {
    const r = ok(answer([{ type: 'sidecar', sides: { inbound: side([1]) } }, { type: 'sidecar', sides: { inbound: side([10]) } }, { type: 'sidecar', sides: { inbound: side([10, 10]) } }]));
    expect(r.get('shop')?.get('reviews')?.groups).toEqual([{ percentages: [10], proxies: 2 }, { percentages: [1], proxies: 1 }]);
    expect(r.get('shop')?.get('reviews')?.disagreeing).toBe(1);
  });

  it('reads the inbound side of sidecars and the gateway side of routers, never outbound', () => {
    const r = ok(answer([
      { type: 'sidecar', sides: { inbound: side([5]), outbound: side([50]) } },
      { type: 'router', sides: { gateway: side([7]), inbound: side([99]) } },
    ]));
    expect(r.get('shop')?.get('reviews')).toMatchObject({ percentages: [5, 7], gateway: true });
  });

  it('a side without traced listeners runs no tracing; a proxy without listeners on that side has nothing to compare', () => {
    const r = ok(answer([{ type: 'sidecar', sides: { inbound: { percentages: [], enabledHcms: 0, disabledHcms: ['virtualInbound#0'] } } }, { type: 'sidecar', sides: { outbound: side([1]) } }, { type: 'sidecar' }]));
    expect(r.get('shop')?.get('reviews')).toMatchObject({ proxies: 3, percentages: [], groups: [{ percentages: [], proxies: 1 }], withoutListeners: 2 });
  });

  it('an empty answer is no workloads, not an error', () => {
    expect(ok({ workloads: [], errors: {} }).size).toBe(0);
  });

  it.each([
    { name: 'null', json: null, error: 'answer: expected an object, got null' },
    { name: 'an array', json: [], error: 'answer: expected an object, got []' },
    { name: 'an HTML page', json: '<html>', error: 'answer: expected an object, got "<html>"' },
    { name: 'no workloads', json: { errors: {} }, error: 'workloads: expected an array, got nothing' },
    { name: 'a workload without namespace', json: { workloads: [{ workload: 'reviews', proxies: [] }] }, error: 'workloads[0].namespace: expected a non-empty string' },
    { name: 'proxies not a list', json: answer({} as unknown as unknown[]), error: 'workloads[0].proxies: expected an array, got {}' },
    { name: 'a proxy that is a string', json: answer(['x']), error: 'workloads[0].proxies[0]: expected an object' },
    { name: 'sides not an object', json: answer([{ sides: [] }]), error: 'workloads[0].proxies[0].sides: expected an object' },
    { name: 'a percentage that is a string', json: answer([{ sides: { inbound: side(['10' as unknown as number]) } }]), error: 'workloads[0].proxies[0].sides.inbound.percentages[0]: expected a percentage, got "10"' },
    { name: 'a negative percentage', json: answer([{ sides: { inbound: side([-1]) } }]), error: 'percentages[0]: expected a percentage, got -1' },
    { name: 'an infinite percentage (1e999 in the JSON)', json: JSON.parse('{"workloads":[{"namespace":"shop","workload":"r","proxies":[{"sides":{"inbound":{"percentages":[1e999],"enabledHcms":1}}}]}]}'), error: 'expected a percentage' },
    { name: 'a fractional listener count', json: answer([{ sides: { inbound: side([1], 1.5) } }]), error: 'enabledHcms: expected a count, got 1.5' },
    { name: 'traced listeners without percentages', json: answer([{ sides: { inbound: side([], 2) } }]), error: '2 traced listeners but no percentages' },
    { name: 'a type that is not a string', json: answer([{ type: 7 }]), error: 'workloads[0].proxies[0].type: expected a string' },
    { name: 'gateway not a boolean', json: answer([], { gateway: 'yes' }), error: 'workloads[0].gateway: expected true or false' },
    { name: 'a workload listed twice', json: { workloads: [answer([]).workloads[0], answer([]).workloads[0]] }, error: 'workloads[1]: shop/reviews listed twice' },
  ])('refuses $name with the path of the problem', ({ json, error }) => {
    const r = parseEffective(json);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toContain('unexpected answer from /api/sampling/effective: ');
    expect(!r.ok && r.error).toContain(error);
  });

  it('keeps long bad values short in the message', () => {
    const r = parseEffective({ workloads: 'x'.repeat(10_000) });
    expect(!r.ok && r.error.length).toBeLessThan(200);
  });
});
