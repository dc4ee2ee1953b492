/** `meshtrace controller`: runs the SamplingPolicy controller until SIGTERM/SIGINT. */
import { pino } from 'pino';
import { ControllerApi } from './controller-api.js';
import { loadKubeConnection } from './kube-connection.js';
import { controllerOptionsHelp, loadControllerConfig } from './options.js';
import { Controller } from './run.js';

export const CONTROLLER_HELP = `Usage: meshtrace controller [options]

Turns SamplingPolicy resources (meshtrace.io/v1alpha1) into Istio Telemetry resources, reports
conflicts and policies that change nothing, and reverts boosts when they expire.
Install the CRD first: charts/meshtrace/crds/samplingpolicies.meshtrace.io.yaml.

Options (flag > environment > default):
${controllerOptionsHelp()}
  --help                          show this help
`;

/**
 * Runs until a signal; resolves with the exit code. `env` is the process environment (passed in
 * because only entry points read process.env).
 */
export async function controllerCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const config = loadControllerConfig(args, env);
  if (config.help) {
    process.stdout.write(CONTROLLER_HELP);
    return 0;
  }
  const log = pino({ level: config.logLevel, base: { service: 'meshtrace-controller' } }, pino.destination({ dest: 1, sync: true }));
  const api = new ControllerApi(await loadKubeConnection({ kubeconfig: config.kubeconfig, context: config.context }, env), {
    onRetry: (err, attempt, delayMs) => log.debug({ err: String(err).split('\n')[0], attempt, delayMs }, 'API call failed; retrying'),
  });
  const controller = new Controller(api, { ...config, log });
  await controller.start();
  log.info({ rootNamespace: config.rootNamespace, identity: config.identity, leaderElection: config.leaderElection }, 'controller running');
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down: finishing in-flight reconciles, releasing the lease');
      controller.stop(config.shutdownTimeoutMs).then(() => resolve(0), (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        resolve(1);
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
