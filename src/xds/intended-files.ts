/**
 * The intended-sampling inputs from files, for `meshtrace xds inspect`: Telemetry resources and
 * SamplingPolicies as YAML (several documents per file, `kubectl get -o yaml` lists too) and the
 * mesh config, either the `mesh` object itself or the `istio` ConfigMap that holds it.
 */
import { readFile } from 'node:fs/promises';
import { loadAll } from 'js-yaml';
import { parseMeshConfig } from '../controller/mesh-config.js';
import { POLICY_KIND } from '../controller/policy.js';
import type { SamplingPolicy } from '../controller/policy.js';
import type { Telemetry } from '../controller/telemetry.js';
import { DEFAULT_ROOT_NAMESPACE } from './intended.js';
import type { IntendedInputs } from './intended.js';
import { isObject } from './json.js';

export interface IntendedFiles {
  readonly inputs: IntendedInputs;
  /** Parts of the mesh config that could not be read; resolution carries on without them. */
  readonly problems: readonly string[];
}

async function readYamlDocs(path: string): Promise<unknown[]> {
  const docs = loadAll(await readFile(path, 'utf8')).filter((d) => d !== null && d !== undefined);
  // `kubectl get … -o yaml` wraps resources in a List.
  return docs.flatMap((d) => (isObject(d) && Array.isArray(d['items']) ? d['items'] as unknown[] : [d]));
}

/** The mesh object of a mesh config file, or of the istio ConfigMap (`data.mesh`). */
async function readMeshObject(path: string): Promise<Record<string, unknown>> {
  const [doc] = await readYamlDocs(path);
  const data = isObject(doc) ? doc['data'] : undefined;
  const mesh = isObject(data) && typeof data['mesh'] === 'string' ? loadAll(data['mesh'])[0] : doc;
  if (!isObject(mesh)) throw new Error(`${path}: not a mesh config`);
  return mesh;
}

/** Reads the files; throws with the file name when one is missing or is not YAML. */
export async function readIntendedFiles(resourceFiles: readonly string[], meshConfigFile: string | undefined): Promise<IntendedFiles> {
  const resources = (await Promise.all(resourceFiles.map(readYamlDocs))).flat().filter((d) => isObject(d) && isObject(d['metadata']));
  const policies = resources.filter((d) => isObject(d) && d['kind'] === POLICY_KIND) as unknown as SamplingPolicy[];
  const telemetries = resources.filter((d) => isObject(d) && d['kind'] !== POLICY_KIND) as unknown as Telemetry[];
  const meshObject = meshConfigFile === undefined ? {} : await readMeshObject(meshConfigFile);
  // parseMeshConfig reads YAML text; JSON is YAML, and this keeps one parser for the controller and the CLI.
  const mesh = parseMeshConfig(JSON.stringify(meshObject));
  const root = meshObject['rootNamespace'];
  return {
    inputs: { rootNamespace: typeof root === 'string' && root !== '' ? root : DEFAULT_ROOT_NAMESPACE, mesh, telemetries, policies },
    problems: mesh.problems.map((p) => `mesh config: ${p}`),
  };
}
