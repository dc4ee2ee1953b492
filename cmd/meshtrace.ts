#!/usr/bin/env node
/**
 * `meshtrace` command line. Thin by design: parse, wire, listen, and shut down gracefully.
 */
import { pino } from 'pino';
import { UsageError, auditCommand, reportCommand } from '../src/cli/commands.js';
import { startDemo } from '../src/cli/demo.js';
import { ConfigError, envName, loadServeConfig, serveHelp } from '../src/config/index.js';
import { simulateCommand } from '../src/simulator/index.js';
import { startMeshtrace } from '../src/server/meshtrace.js';
import { xdsCommand } from '../src/xds/cli.js';
import { controllerCommand } from '../src/controller/cli.js';
import { ControllerConfigError } from '../src/controller/options.js';

const USAGE = `Usage: meshtrace <command> [options]

Commands:
  serve       run the collector (Zipkin :9411, OTLP gRPC :4317, OTLP HTTP :4318, API :8080)
  report      print the propagation report of a running meshtrace
  audit       run the propagation audit over exported span files
  simulate    play simulated Istio mesh traffic (with chosen apps breaking propagation) into meshtrace
  xds         inspect Envoy config dumps: effective tracing and sampling drift
  controller  run the SamplingPolicy controller (Istio Telemetry from meshtrace.io policies)
  help        show this help

Run 'meshtrace serve --help' for the collector's options.
`;

/**
 * `--demo` is not a collector setting: it only adds simulated traffic. It settles traces after 2 s
 * instead of 10 s (unless told otherwise) so the first report appears within seconds.
 */
function demoArgs(args: string[]): { demo: boolean; args: string[] } {
  if (!args.includes('--demo')) return { demo: false, args };
  const rest = args.filter((a) => a !== '--demo');
  const settleSet = rest.some((a) => a.startsWith('--settle-period')) || process.env[envName('settle-period')] !== undefined;
  return { demo: true, args: settleSet ? rest : ['--settle-period', '2s', ...rest] };
}

async function serve(rawArgs: string[]): Promise<void> {
  if (rawArgs.includes('--help') || rawArgs.includes('-h')) {
    process.stdout.write(serveHelp());
    return;
  }
  const { demo, args } = demoArgs(rawArgs);
  const config = loadServeConfig(args);
  // Synchronous writes: logging is low-volume (never per span), and an async destination can
  // lose or reorder the last lines when the process exits after shutdown.
  const logger = pino({ level: config.logLevel, base: { service: 'meshtrace' } }, pino.destination({ dest: 1, sync: true }));
  const running = await startMeshtrace(config, logger);
  logger.info({ host: config.host, ports: running.ports }, 'meshtrace is listening');
  const demoTraffic = demo ? startDemo({ host: config.host, zipkinPort: running.ports.zipkin }, logger) : undefined;

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new requests, finishing in-flight ones, settling buffered traces');
    const force = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    (demoTraffic?.stop() ?? Promise.resolve()).then(() => running.close()).then(() => {
      logger.info('stopped');
      process.exit(0);
    }, (err: unknown) => {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': return serve(rest);
    case 'report': return reportCommand(rest, process.stdout);
    case 'audit': return auditCommand(rest, process.stdout, process.stderr);
    case 'controller':
      process.exitCode = await controllerCommand(rest, process.env);
      return;
    case 'xds':
      process.exitCode = await xdsCommand(rest);
      return;
    case 'simulate':
      process.exitCode = await simulateCommand(rest, process.stdout);
      return;
    case undefined: case 'help': case '--help': case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      process.stderr.write(`meshtrace: unknown command '${command}'\n\n${USAGE}`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof UsageError || err instanceof ControllerConfigError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`meshtrace: ${(err as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(`meshtrace: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
