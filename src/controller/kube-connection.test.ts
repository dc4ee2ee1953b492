import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKubeConnection } from './kube-connection.js';

const dir = mkdtempSync(join(tmpdir(), 'meshtrace-kubeconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const b64 = (s: string) => Buffer.from(s).toString('base64');

function kubeconfig(file: string, doc: Record<string, unknown>): string {
  const path = join(dir, file);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, yaml.dump(doc));
  return path;
}

const cluster = (name: string, server: string, extra: Record<string, unknown> = {}) => ({ name, cluster: { server, ...extra } });
const user = (name: string, fields: Record<string, unknown>) => ({ name, user: fields });
const context = (name: string, c: string, u: string) => ({ name, context: { cluster: c, user: u } });
const noEnv = { HOME: join(dir, 'nobody') };

describe('loadKubeConnection', () => {
  it('reads the current context: server, CA, token', async () => {
    const path = kubeconfig('token.yaml', {
      clusters: [cluster('c', 'https://10.0.0.1:6443/', { 'certificate-authority-data': b64('CA PEM'), 'tls-server-name': 'kubernetes' })],
      users: [user('u', { token: 's3cret' })], contexts: [context('ctx', 'c', 'u')], 'current-context': 'ctx',
    });
    const c = await loadKubeConnection({ kubeconfig: path }, noEnv);
    expect(c).toMatchObject({ server: 'https://10.0.0.1:6443', rejectUnauthorized: true, servername: 'kubernetes' });
    expect(c.ca?.toString()).toBe('CA PEM');
    expect(await c.authorization?.()).toBe('Bearer s3cret');
  });

  it('reads client certificates from files named relative to the kubeconfig', async () => {
    writeFileSync(join(dir, 'certs-client.crt'), 'CERT');
    writeFileSync(join(dir, 'certs-client.key'), 'KEY');
    const path = kubeconfig('certs.yaml', {
      clusters: [cluster('c', 'https://h:6443', { 'insecure-skip-tls-verify': true })],
      users: [user('u', { 'client-certificate': 'certs-client.crt', 'client-key': 'certs-client.key' })], contexts: [context('ctx', 'c', 'u')], 'current-context': 'ctx',
    });
    const c = await loadKubeConnection({ kubeconfig: path }, noEnv);
    expect([c.cert?.toString(), c.key?.toString(), c.rejectUnauthorized, c.authorization]).toEqual(['CERT', 'KEY', false, undefined]);
  });

  it('merges $KUBECONFIG files the kubectl way: the first to name an entry or the current context wins', async () => {
    const first = kubeconfig('merge-1.yaml', { clusters: [cluster('c', 'https://first:6443')], users: [user('u', { username: 'ann', password: 'pw' })], 'current-context': 'ctx' });
    const second = kubeconfig('merge-2.yaml', {
      clusters: [cluster('c', 'https://second:6443'), cluster('other', 'https://other:6443')], users: [user('u', { token: 'ignored' })],
      contexts: [context('ctx', 'c', 'u'), context('alt', 'other', 'u')], 'current-context': 'alt',
    });
    const env = { ...noEnv, KUBECONFIG: [first, join(dir, 'missing.yaml'), second].join(':') };
    const c = await loadKubeConnection({}, env);
    expect(c.server).toBe('https://first:6443');
    expect(await c.authorization?.()).toBe(`Basic ${b64('ann:pw')}`);
    expect((await loadKubeConnection({ context: 'alt' }, env)).server).toBe('https://other:6443');
  });

  it('takes the token from a tokenFile', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'one\n');
    const path = kubeconfig('tokenfile.yaml', { clusters: [cluster('c', 'https://h:6443')], users: [user('u', { tokenFile })], contexts: [context('ctx', 'c', 'u')], 'current-context': 'ctx' });
    const c = await loadKubeConnection({ kubeconfig: path }, noEnv);
    expect(await c.authorization?.()).toBe('Bearer one');
  });

  it('says what is missing', async () => {
    const path = kubeconfig('broken.yaml', { clusters: [], contexts: [context('ctx', 'gone', 'u')], 'current-context': 'ctx' });
    await expect(loadKubeConnection({ kubeconfig: path }, noEnv)).rejects.toThrow(/cluster "gone" of context ctx not found/);
    await expect(loadKubeConnection({ kubeconfig: path, context: 'nope' }, noEnv)).rejects.toThrow(/context "nope" not found/);
    await expect(loadKubeConnection({}, noEnv)).rejects.toThrow(/no kubeconfig .* and no service account/);
  });
});
