/**
 * Where the API server is and how to authenticate: from kubeconfig files (merged the way kubectl
 * merges them) or, in a pod, from its service account. Tokens, client certificates and basic auth
 * are read here. Exec plugins, auth providers and proxies are rare where a controller runs, so for
 * those @kubernetes/client-node is loaded after all and asked for each request's credentials.
 * @see https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Agent } from 'node:http';
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import yaml from 'js-yaml';

export interface KubeConnection {
  /** `https://host:port`, possibly with a path prefix. */
  readonly server: string;
  readonly ca?: Buffer | undefined;
  readonly cert?: Buffer | undefined;
  readonly key?: Buffer | undefined;
  /** False with `insecure-skip-tls-verify`. */
  readonly rejectUnauthorized?: boolean | undefined;
  readonly servername?: string | undefined;
  /** Sent with every request (impersonation). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** The Authorization header, asked before every request because tokens rotate. */
  readonly authorization?: (() => string | undefined | Promise<string | undefined>) | undefined;
  /** Used instead of the client's own keep-alive agent (client-node's, when a proxy is configured). */
  readonly agent?: Agent | undefined;
}

export interface KubeConnectionOptions {
  /** A kubeconfig file; default $KUBECONFIG, ~/.kube/config, then the pod's service account. */
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
}

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The kubelet rotates projected service-account tokens; client-go re-reads the file this often. */
const TOKEN_REREAD_MS = 60_000;

type Entry = Record<string, unknown>;
interface Kubeconfig {
  readonly clusters: Map<string, { readonly entry: Entry; readonly dir: string }>;
  readonly users: Map<string, { readonly entry: Entry; readonly dir: string }>;
  readonly contexts: Map<string, Entry>;
  currentContext: string | undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** kubectl's merge rules: the first file to name a cluster, user, context or current-context wins. */
function readKubeconfigs(files: readonly string[]): Kubeconfig {
  const merged: Kubeconfig = { clusters: new Map(), users: new Map(), contexts: new Map(), currentContext: undefined };
  for (const file of files) {
    const doc = (yaml.load(readFileSync(file, 'utf8')) ?? {}) as Entry;
    const dir = dirname(file);
    const named = (list: unknown, key: string): [string, Entry][] => (Array.isArray(list) ? list : [])
      .filter((e): e is Entry => typeof e === 'object' && e !== null && typeof (e as Entry).name === 'string')
      .map((e) => [e.name as string, (e[key] ?? {}) as Entry]);
    for (const [name, entry] of named(doc.clusters, 'cluster')) if (!merged.clusters.has(name)) merged.clusters.set(name, { entry, dir });
    for (const [name, entry] of named(doc.users, 'user')) if (!merged.users.has(name)) merged.users.set(name, { entry, dir });
    for (const [name, entry] of named(doc.contexts, 'context')) if (!merged.contexts.has(name)) merged.contexts.set(name, entry);
    merged.currentContext ??= str(doc['current-context']);
  }
  return merged;
}

/** Inline base64 data, else a file path relative to the kubeconfig that names it. */
function material(entry: Entry, dataKey: string, fileKey: string, dir: string): Buffer | undefined {
  const data = str(entry[dataKey]);
  if (data !== undefined) return Buffer.from(data, 'base64');
  const file = str(entry[fileKey]);
  return file === undefined ? undefined : readFileSync(isAbsolute(file) ? file : join(dir, file));
}

/** A token read from a file, re-read now and then so rotated tokens are picked up. */
function tokenFromFile(path: string): () => string {
  let cached = { token: '', at: -Infinity };
  return () => {
    if (Date.now() - cached.at > TOKEN_REREAD_MS) cached = { token: readFileSync(path, 'utf8').trim(), at: Date.now() };
    return `Bearer ${cached.token}`;
  };
}

function authorizationOf(user: Entry, dir: string): KubeConnection['authorization'] {
  const token = str(user.token);
  if (token !== undefined) return () => `Bearer ${token}`;
  const tokenFile = str(user.tokenFile);
  if (tokenFile !== undefined) return tokenFromFile(isAbsolute(tokenFile) ? tokenFile : join(dir, tokenFile));
  const username = str(user.username);
  if (username !== undefined) {
    const basic = `Basic ${Buffer.from(`${username}:${str(user.password) ?? ''}`).toString('base64')}`;
    return () => basic;
  }
  return undefined;
}

function kubeconfigFiles(env: NodeJS.ProcessEnv): string[] {
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f !== '');
  if (listed.length > 0) return listed.filter((f) => existsSync(f));
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  return existsSync(home) ? [home] : [];
}

/** The pod's service account, as client-go's rest.InClusterConfig reads it. */
function inClusterConnection(env: NodeJS.ProcessEnv): KubeConnection | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (host === undefined || port === undefined || !existsSync(`${SERVICE_ACCOUNT}/token`)) return undefined;
  const scheme = ['80', '8080', '8001'].includes(port) ? 'http' : 'https';
  return {
    server: `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}`,
    ca: readFileSync(`${SERVICE_ACCOUNT}/ca.crt`),
    authorization: tokenFromFile(`${SERVICE_ACCOUNT}/token`),
  };
}

/**
 * The connection a KubeConfig of client-node describes, for callers that already hold one (the
 * tests); also the path for exec plugins, auth providers and proxies.
 */
export async function connectionFromKubeConfig(kc: KubeConfig): Promise<KubeConnection> {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new Error('kubeconfig: no current cluster');
  const user = kc.getCurrentUser();
  const applied = async (): Promise<{ headers: Record<string, string>; auth?: string; ca?: Buffer; cert?: Buffer; key?: Buffer; agent?: Agent }> => {
    const opts = { headers: {} as Record<string, string> };
    await kc.applyToHTTPSOptions(opts);
    return opts;
  };
  const headerOf = (o: Awaited<ReturnType<typeof applied>>): string | undefined =>
    o.headers.Authorization ?? (o.auth !== undefined ? `Basic ${Buffer.from(o.auth).toString('base64')}` : undefined);
  const first = await applied();
  const headers = { ...first.headers };
  delete headers.Authorization; // asked for per request instead
  const dynamic = user?.exec !== undefined || user?.authProvider !== undefined;
  const fixed = headerOf(first);
  return {
    server: cluster.server, ca: first.ca, cert: first.cert, key: first.key,
    rejectUnauthorized: !cluster.skipTLSVerify, servername: cluster.tlsServerName, headers,
    authorization: dynamic ? async () => headerOf(await applied()) : () => fixed,
    ...(cluster.proxyUrl !== undefined ? { agent: first.agent } : {}),
  };
}

async function viaClientNode(options: KubeConnectionOptions): Promise<KubeConnection> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  if (options.kubeconfig !== undefined) kc.loadFromFile(options.kubeconfig);
  else kc.loadFromDefault();
  if (options.context !== undefined) kc.setCurrentContext(options.context);
  return connectionFromKubeConfig(kc);
}

type Located = { readonly entry: Entry; readonly dir: string };

/** The cluster and user of the named (else the current) context. */
function selectContext(config: Kubeconfig, name: string | undefined): { cluster: Located; user: Located } {
  const contextName = name ?? config.currentContext;
  const context = contextName === undefined ? undefined : config.contexts.get(contextName);
  if (context === undefined) throw new Error(`kubeconfig: context ${JSON.stringify(contextName ?? '')} not found`);
  const cluster = config.clusters.get(str(context.cluster) ?? '');
  if (cluster === undefined || str(cluster.entry.server) === undefined) throw new Error(`kubeconfig: cluster ${JSON.stringify(context.cluster)} of context ${contextName} not found`);
  return { cluster, user: config.users.get(str(context.user) ?? '') ?? { entry: {}, dir: cluster.dir } };
}

function connectionOf(cluster: Located, user: Located): KubeConnection {
  const impersonate = str(user.entry.as);
  return {
    server: str(cluster.entry.server)!.replace(/\/$/, ''),
    ca: material(cluster.entry, 'certificate-authority-data', 'certificate-authority', cluster.dir),
    cert: material(user.entry, 'client-certificate-data', 'client-certificate', user.dir),
    key: material(user.entry, 'client-key-data', 'client-key', user.dir),
    rejectUnauthorized: cluster.entry['insecure-skip-tls-verify'] !== true,
    servername: str(cluster.entry['tls-server-name']),
    ...(impersonate !== undefined ? { headers: { 'Impersonate-User': impersonate } } : {}),
    authorization: authorizationOf(user.entry, user.dir),
  };
}

/** The API server and credentials, resolved as kubectl does: flag, $KUBECONFIG, ~/.kube/config, then in-cluster. */
export async function loadKubeConnection(options: KubeConnectionOptions, env: NodeJS.ProcessEnv): Promise<KubeConnection> {
  const files = options.kubeconfig !== undefined ? [options.kubeconfig] : kubeconfigFiles(env);
  if (files.length === 0) {
    const inCluster = inClusterConnection(env);
    if (inCluster !== undefined) return inCluster;
    throw new Error('no kubeconfig (--kubeconfig, $KUBECONFIG, ~/.kube/config) and no service account (not in a pod)');
  }
  const { cluster, user } = selectContext(readKubeconfigs(files), options.context);
  const needsClientNode = user.entry.exec !== undefined || user.entry['auth-provider'] !== undefined || cluster.entry['proxy-url'] !== undefined;
  return needsClientNode ? viaClientNode(options) : connectionOf(cluster, user);
}
