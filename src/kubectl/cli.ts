/** `kubectl meshtrace …`: the plugin's command line. kubectl finds it as `kubectl-meshtrace` on PATH. */
import { parseArgs } from 'node:util';
import { boost } from './boost.js';
import { PluginUsageError, pluginContext } from './context.js';
import { explain } from './explain.js';
import { samplingGet, samplingSet } from './sampling.js';

export const KUBECTL_HELP = `Usage: kubectl meshtrace <command> [flags]

Commands:
  sampling get [-A]                              SamplingPolicies: targets, modes, percentages and what the Envoys run
  sampling set <namespace>[/<workload>] <pct>    create or update a fixed-percentage policy
  boost <namespace>/<workload> [--to 100] [--for 10m]
                                                 sample more for a while, then go back by itself
  explain <pod>                                  every setting that decides the pod's sampling, in precedence order

Flags:
  --kubeconfig <path>     kubeconfig file (default $KUBECONFIG or ~/.kube/config)
  --context <name>        kubeconfig context
  -n, --namespace <ns>    namespace (default: the context's)
  -A, --all-namespaces    every namespace (sampling get)
  --root-namespace <ns>   Istio root namespace (default istio-system)
  -h, --help              show this help

Workloads are selected by their service.istio.io/canonical-name pod label (set by sidecar injection).
`;

export { PluginUsageError };

export async function kubectlMeshtrace(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {
    kubeconfig: { type: 'string' }, context: { type: 'string' }, namespace: { type: 'string', short: 'n' },
    'all-namespaces': { type: 'boolean', short: 'A', default: false }, 'root-namespace': { type: 'string', default: 'istio-system' },
    to: { type: 'string' }, for: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false },
  } });
  const [command, sub, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    out.write(KUBECTL_HELP);
    return 0;
  }
  const ctx = pluginContext({ kubeconfig: values.kubeconfig, context: values.context, namespace: values.namespace, rootNamespace: values['root-namespace'] }, out);
  switch (command) {
    case 'sampling':
      if (sub === 'get') return samplingGet(ctx, values['all-namespaces']).then(() => 0);
      if (sub === 'set') return samplingSet(ctx, rest[0], rest[1]).then(() => 0);
      throw new PluginUsageError(`unknown 'sampling ${sub ?? ''}': use get or set\n\n${KUBECTL_HELP}`);
    case 'boost': return boost(ctx, sub, values.to, values.for).then(() => 0);
    case 'explain': return explain(ctx, sub).then(() => 0);
    default: throw new PluginUsageError(`unknown command '${command}'\n\n${KUBECTL_HELP}`);
  }
}
