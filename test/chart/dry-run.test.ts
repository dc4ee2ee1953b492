/**
 * The rendered chart against a real API server: every manifest passes a server-side dry-run
 * (`dryRun=All`), so its fields are valid against the server's real schemas, not just YAML.
 * Skips, saying why, where no API server is available (see test/helpers/kube.ts).
 */
import { KubernetesObjectApi } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { loadAll } from 'js-yaml';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { helm } from '../helpers/helm.js';
import { startTestKube } from '../helpers/kube.js';

const CHART = join(process.cwd(), 'charts', 'meshtrace');
const started = await startTestKube();

describe.skipIf('skip' in started)('skip' in started ? `chart dry-run skipped: ${started.skip}` : 'charts/meshtrace on a real API server', () => {
  const kube = 'kube' in started ? started.kube : undefined;
  afterAll(async () => kube?.stop());

  it('passes a server-side dry-run of every rendered manifest, default and with every value set', async () => {
    const objects = KubernetesObjectApi.makeApiClient(kube!.kc);
    await kube!.ensureNamespace('istio-system');
    const version = await (await fetch(`${kube!.server?.url ?? ''}/version`).catch(() => undefined))?.json().catch(() => undefined) as { gitVersion?: string } | undefined;
    for (const values of [[], ['--values', join(process.cwd(), 'test', 'chart', 'values-everything.yaml'), '--set', 'serviceMonitor.enabled=false']]) {
      const run = await helm(['template', 'meshtrace', CHART, '--namespace', 'istio-system', '--kube-version', version?.gitVersion ?? 'v1.20.2', ...values]);
      expect(run.code, run.stderr).toBe(0);
      const docs = (loadAll(run.stdout) as (KubernetesObject | null)[]).filter((d): d is KubernetesObject => d !== null);
      expect(docs.length).toBeGreaterThan(8);
      for (const doc of docs) {
        const created = await objects.create(doc, undefined, 'All', 'meshtrace-chart-test').catch((err: unknown) => {
          throw new Error(`${doc.kind}/${doc.metadata?.name} refused: ${(err as { body?: unknown }).body !== undefined ? JSON.stringify((err as { body?: unknown }).body) : String(err)}`);
        });
        expect(created.kind).toBe(doc.kind);
      }
    }
  });
});
