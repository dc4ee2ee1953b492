import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/**
 * The package's `proto/` directory, found by walking up from this module so it works both
 * from sources (tests) and from the compiled `dist/` tree.
 */
function protoDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, 'zipkin.proto'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('meshtrace: cannot find the proto/ directory next to the package');
}

/** Loads `.proto` files (paths relative to `proto/`) into one protobufjs Root. */
export function loadProtos(...files: string[]): protobuf.Root {
  const dir = protoDir();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith(dir) ? target : join(dir, target));
  return root.loadSync(files, { keepCase: false });
}
