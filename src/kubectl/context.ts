/** What every kubectl-meshtrace command needs: the API, the namespace in effect, and output streams. */
import { KubeApi, loadKubeConfig } from '../controller/kube.js';

export class PluginUsageError extends Error {
  override readonly name = 'PluginUsageError';
}

export interface GlobalFlags {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
  readonly namespace?: string | undefined;
  readonly rootNamespace: string;
}

export interface PluginContext {
  readonly api: KubeApi;
  /** `-n`, else the kubeconfig context's namespace, else `default`. */
  readonly namespace: string;
  readonly rootNamespace: string;
  readonly out: NodeJS.WritableStream;
}

export function pluginContext(flags: GlobalFlags, out: NodeJS.WritableStream): PluginContext {
  const kc = loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context });
  const contextNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace;
  // One attempt at most three times: a CLI should fail fast, not wait out a long backoff.
  const api = new KubeApi(kc, { attempts: 3, baseMs: 200, maxMs: 1000 });
  return { api, namespace: flags.namespace ?? contextNamespace ?? 'default', rootNamespace: flags.rootNamespace, out };
}

/** `ns/workload` or `ns` → parts; a bare workload uses the namespace in effect. */
export function parseTarget(text: string | undefined, fallbackNamespace: string): { namespace: string; workload: string | undefined } {
  if (text === undefined || text === '') throw new PluginUsageError('expected <namespace>[/<workload>]');
  const slash = text.indexOf('/');
  if (slash < 0) return { namespace: text, workload: undefined };
  const namespace = text.slice(0, slash) || fallbackNamespace;
  const workload = text.slice(slash + 1);
  if (workload === '' || workload.includes('/')) throw new PluginUsageError(`cannot read ${JSON.stringify(text)} as <namespace>/<workload>`);
  return { namespace, workload };
}
