/**
 * Access to the recorded payloads in ../shared/fixtures. A fresh clone does not have them, so
 * tests that use them skip cleanly when the directory is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHARED_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'fixtures');

export const hasSharedFixtures = existsSync(SHARED_FIXTURES);

export function sharedFixture(path: string): string {
  return readFileSync(join(SHARED_FIXTURES, path), 'utf8');
}
