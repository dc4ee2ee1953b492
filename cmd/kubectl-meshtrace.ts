#!/usr/bin/env node
/** `kubectl-meshtrace`: the kubectl plugin (`kubectl meshtrace …`). Honours KUBECONFIG, --kubeconfig, --context, -n. */
import { PluginUsageError, kubectlMeshtrace } from '../src/kubectl/cli.js';

function statusMessage(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { message?: string }).message;
  } catch {
    return undefined;
  }
}

kubectlMeshtrace(process.argv.slice(2), process.stdout).then((code) => { process.exitCode = code; }, (err: unknown) => {
  const e = err as { code?: unknown; body?: unknown; message?: string };
  if (err instanceof PluginUsageError || (typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`kubectl-meshtrace: ${e.message ?? String(err)}\n`);
    process.exitCode = 2;
    return;
  }
  // client-node's ApiException carries the API server's Status; its message is the useful part.
  const status = typeof e.body === 'string' ? statusMessage(e.body) : undefined;
  const detail = status ?? e.message ?? String(err);
  process.stderr.write(`kubectl-meshtrace: ${typeof e.code === 'number' ? `API server answered ${e.code}: ` : ''}${detail.split('\n')[0]}\n`);
  process.exitCode = 1;
});
