#!/usr/bin/env node
/**
 * `meshtrace` command line. Thin by design: parse, wire, listen, and shut down gracefully.
 */
import { pino } from 'pino';
import { UsageError, auditCommand, reportCommand } from '../src/cli/commands.js';
import { ConfigError, loadServeConfig, serveHelp } from '../src/config/index.js';
import { startMeshtrace } from '../src/server/meshtrace.js';

const USAGE = `Usage: meshtrace <command> [options]

Commands:
  serve     run the collector (Zipkin :9411, OTLP gRPC :4317, OTLP HTTP :4318, API :8080)
  report    print the propagation report of a running meshtrace
  audit     run the propagation audit over exported span files
  help      show this help

Run 'meshtrace serve --help' for the collector's options.
`;

async function serve(args: string[]): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(serveHelp());
    return;
  }
  const config = loadServeConfig(args);
  // Synchronous writes: logging is low-volume (never per span), and an async destination can
  // lose or reorder the last lines when the process exits after shutdown.
  const logger = pino({ level: config.logLevel, base: { service: 'meshtrace' } }, pino.destination({ dest: 1, sync: true }));
  const running = await startMeshtrace(config, logger);
  logger.info({ host: config.host, ports: running.ports }, 'meshtrace is listening');

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
    running.close().then(() => {
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
    case undefined: case 'help': case '--help': case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      process.stderr.write(`meshtrace: unknown command '${command}'\n\n${USAGE}`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`meshtrace: ${(err as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(`meshtrace: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
