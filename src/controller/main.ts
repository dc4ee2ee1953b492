#!/usr/bin/env node
/**
 * The controller's own entry point, `node dist/src/controller/main.js [options]`, which the Helm
 * chart runs: the same as `meshtrace controller`, without loading the collector's modules (its
 * HTTP and gRPC servers, protobuf and xDS code), which the `meshtrace` command imports up front
 * and which would cost the controller more memory than all its caches.
 */
import { controllerCommand } from './cli.js';
import { ControllerConfigError } from './options.js';

// eslint-disable-next-line no-restricted-properties -- an entry point hands the environment to its command, as cmd/ does
controllerCommand(process.argv.slice(2), process.env).then((code) => { process.exitCode = code; }, (err: unknown) => {
  const usage = err instanceof ControllerConfigError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
  process.stderr.write(`meshtrace controller: ${usage ? (err as Error).message : (err as Error).stack ?? String(err)}\n`);
  process.exitCode = usage ? 2 : 1;
});
