/**
 * Drift findings are exact on every config-dump fixture: no stale-proxy when a proxy runs what
 * Istio intends, and never a missed one when it runs something else. The fixtures are found by
 * walking test/ and, when present, ../shared/fixtures (every JSON file that reads as an Envoy
 * config dump), so a dump added later is covered without touching this test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMPTY_MESH_CONFIG } from '../controller/mesh-config.js';
import { fixtureIntendedInputs } from '../../test/xds/helpers.js';
import { hasSharedFixtures, SHARED_FIXTURES } from '../../test/helpers/shared.js';
import { readConfigDump } from './config-dump.js';
import { driftReport, workloadRef } from './drift.js';
import { groupWorkloads, proxyTracing } from './effective.js';
import { intendedResolver } from './intended.js';
import type { IntendedResolver, IntendedSampling, ProviderKind, ProxyTracing } from './types.js';

const TEST_ROOT = join(import.meta.dirname, '..', '..', 'test');

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : jsonFiles(path);
    return e.name.endsWith('.json') ? [path] : [];
  });
}

/** Every file under `dir` that is an Envoy config dump, as the proxy it describes. */
function configDumps(dir: string): { file: string; proxy: ProxyTracing }[] {
  return jsonFiles(dir).flatMap((file) => {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return []; // not JSON (e.g. the truncated-dump fixture): not a dump a proxy runs
    }
    const dump = readConfigDump(json, file);
    return dump.ok ? [{ file, proxy: proxyTracing(dump.value) }] : [];
  });
}

/** What the fixture cluster's Telemetries and mesh config ask for. */
const asConfigured = intendedResolver(await fixtureIntendedInputs());
/** No tracing provider anywhere: Istio intends no tracing at all. */
const noTracing = intendedResolver({ mesh: EMPTY_MESH_CONFIG, telemetries: [] });

function intendedFor(p: ProxyTracing, intended: IntendedResolver): IntendedSampling {
  return intended(workloadRef(groupWorkloads([p])[0]!))!;
}

/** The rate Istio writes into the listeners that decide traces starting at this proxy. */
function intendedRate(p: ProxyTracing, i: IntendedSampling): number {
  return (p.proxy.type === 'router' ? i.client?.percentage : i.server?.percentage) ?? i.percentage;
}

/** The same proxy running `percentage` (undefined: no tracing) on every HTTP listener, through `kind`. */
function running(p: ProxyTracing, percentage: number | undefined, kind: ProviderKind | undefined): ProxyTracing {
  const provider = p.provider === undefined || kind === undefined ? p.provider : { ...p.provider, kind };
  const sides = Object.fromEntries(Object.entries(p.sides).map(([k, s]) => [k, { ...s, percentages: percentage === undefined ? [] : [percentage] }]));
  return { ...p, percentage, provider, sides };
}

function staleProxies(p: ProxyTracing, intended: IntendedResolver): string[] {
  return driftReport(groupWorkloads([p]), { intended }).flatMap((d) => d.findings.filter((f) => f.kind === 'stale-proxy').flatMap((f) => f.proxies));
}

/** Whether the proxy runs something other than what Istio intends, judged from the resolution alone. */
function runsSomethingElse(p: ProxyTracing, i: IntendedSampling): boolean {
  if (i.tracingEnabled === false) return p.percentage !== undefined;
  // A provider sampler decides regardless of random_sampling: that is 'overridden', not stale.
  const rateDiffers = p.percentage !== undefined && p.provider?.sampler === undefined && Math.abs(p.percentage - intendedRate(p, i)) > 1e-6;
  const providerDiffers = i.providerKind !== undefined && p.provider !== undefined && p.provider.kind !== i.providerKind;
  return rateDiffers || providerDiffers;
}

function checkExact(dumps: readonly { file: string; proxy: ProxyTracing }[], intended: IntendedResolver): void {
  const stale = (p: ProxyTracing): string[] => staleProxies(p, intended);
  for (const { file, proxy: p } of dumps) {
    const i = intendedFor(p, intended);
    const id = p.proxy.id;
    const asIntended = running(p, i.tracingEnabled === false ? undefined : intendedRate(p, i), i.providerKind);
    expect(stale(asIntended), `${file}: runs what is intended`).toEqual([]);

    const otherRate = running(p, i.tracingEnabled === false ? 5 : intendedRate(p, i) + 0.01, i.providerKind);
    const samplerDecides = i.tracingEnabled !== false && p.provider?.sampler !== undefined;
    expect(stale(otherRate), `${file}: runs another rate`).toEqual(samplerDecides ? [] : [id]);

    if (i.tracingEnabled !== false && i.providerKind !== undefined && p.provider !== undefined) {
      const otherKind = i.providerKind === 'zipkin' ? 'opentelemetry' : 'zipkin';
      expect(stale(running(p, intendedRate(p, i), otherKind)), `${file}: reports through another provider`).toEqual([id]);
    }

    expect(stale(p), `${file}: as recorded`).toEqual(runsSomethingElse(p, i) ? [id] : []);
  }
}

describe('drift findings on every config-dump fixture', () => {
  const local = configDumps(TEST_ROOT);

  it('finds the dumps under test/', () => {
    expect(local.length).toBeGreaterThanOrEqual(9);
  });

  it.each([['as the fixture cluster configures it', asConfigured], ['when Istio intends no tracing', noTracing]] as const)(
    'are exact on the dumps under test/ %s', (_, intended) => {
      checkExact(local, intended);
    });

  const shared = hasSharedFixtures ? configDumps(SHARED_FIXTURES) : [];
  it.skipIf(shared.length === 0)('are exact on the dumps in ../shared/fixtures', () => {
    checkExact(shared, asConfigured);
    checkExact(shared, noTracing);
  });
});
