/**
 * The kubectl plugin's door to the API server (and the tests' and the bench's): typed wrappers over
 * @kubernetes/client-node with retries and merge patches. The controller itself does not load
 * client-node; it talks to the API server through controller-api.ts.
 */
import {
  CoordinationV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions,
} from '@kubernetes/client-node';
import type { V1ConfigMap, V1Pod } from '@kubernetes/client-node';
import type { ObjectList } from './controller-api.js';
import { POLICY_API_VERSION, POLICY_GROUP, POLICY_KIND, POLICY_PLURAL, POLICY_VERSION } from './policy.js';
import type { SamplingPolicy, SamplingPolicySpec } from './policy.js';
import { statusOf, withRetry } from './retry.js';
import type { RetryOptions } from './retry.js';
import { FIELD_MANAGER, TELEMETRY_GROUP, TELEMETRY_PLURAL, TELEMETRY_VERSION } from './telemetry.js';
import type { Telemetry } from './telemetry.js';

export interface KubeConfigOptions {
  /** Path of a kubeconfig file; default $KUBECONFIG, ~/.kube/config, then in-cluster. */
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
}

export function loadKubeConfig(options: KubeConfigOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  if (options.kubeconfig !== undefined) kc.loadFromFile(options.kubeconfig);
  else kc.loadFromDefault();
  if (options.context !== undefined) kc.setCurrentContext(options.context);
  return kc;
}

const PAGE = 500;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export class KubeApi {
  readonly custom: CustomObjectsApi;
  readonly core: CoreV1Api;
  readonly coordination: CoordinationV1Api;
  readonly #retry: RetryOptions;

  constructor(readonly kc: KubeConfig, retry: RetryOptions = {}) {
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.core = kc.makeApiClient(CoreV1Api);
    this.coordination = kc.makeApiClient(CoordinationV1Api);
    this.#retry = retry;
  }

  retry<T>(fn: () => Promise<T>, retryConflicts = false): Promise<T> {
    return withRetry(fn, { ...this.#retry, retryConflicts });
  }

  /** Every object of a custom resource, a page at a time; namespace undefined = all namespaces. */
  async listCustom<T>(group: string, version: string, plural: string, namespace?: string, labelSelector?: string): Promise<ObjectList<T>> {
    const items: T[] = [];
    let _continue: string | undefined;
    let resourceVersion: string | undefined;
    do {
      const page = await this.retry(() => (namespace === undefined
        ? this.custom.listClusterCustomObject({ group, version, plural, limit: PAGE, _continue, labelSelector })
        : this.custom.listNamespacedCustomObject({ group, version, namespace, plural, limit: PAGE, _continue, labelSelector }))) as ObjectList<T> & { metadata: { continue?: string } };
      items.push(...page.items);
      resourceVersion = page.metadata.resourceVersion;
      _continue = page.metadata.continue || undefined;
    } while (_continue !== undefined);
    return { items, metadata: { ...(resourceVersion !== undefined ? { resourceVersion } : {}) } };
  }

  listPolicies(namespace?: string): Promise<ObjectList<SamplingPolicy>> {
    return this.listCustom<SamplingPolicy>(POLICY_GROUP, POLICY_VERSION, POLICY_PLURAL, namespace);
  }

  listTelemetries(namespace?: string, labelSelector?: string): Promise<ObjectList<Telemetry>> {
    return this.listCustom<Telemetry>(TELEMETRY_GROUP, TELEMETRY_VERSION, TELEMETRY_PLURAL, namespace, labelSelector);
  }

  async getPolicy(namespace: string, name: string): Promise<SamplingPolicy | undefined> {
    return this.#orUndefined(() => this.retry(() => this.custom.getNamespacedCustomObject({ group: POLICY_GROUP, version: POLICY_VERSION, namespace, plural: POLICY_PLURAL, name }) as Promise<SamplingPolicy>));
  }

  async getConfigMap(namespace: string, name: string): Promise<V1ConfigMap | undefined> {
    return this.#orUndefined(() => this.retry(() => this.core.readNamespacedConfigMap({ namespace, name })));
  }

  async getPod(namespace: string, name: string): Promise<V1Pod | undefined> {
    return this.#orUndefined(() => this.retry(() => this.core.readNamespacedPod({ namespace, name })));
  }

  /** Deletes a Telemetry; already gone counts as done. */
  async deleteTelemetry(namespace: string, name: string): Promise<void> {
    await this.#orUndefined(() => this.retry(() => this.custom.deleteNamespacedCustomObject({ group: TELEMETRY_GROUP, version: TELEMETRY_VERSION, namespace, plural: TELEMETRY_PLURAL, name })));
  }

  /** Merge-patches metadata/spec of a policy; pass resourceVersion for optimistic concurrency. */
  async patchPolicy(namespace: string, name: string, body: { metadata?: Record<string, unknown>; spec?: SamplingPolicySpec | Record<string, unknown> }): Promise<SamplingPolicy> {
    return this.retry(() => this.custom.patchNamespacedCustomObject({
      group: POLICY_GROUP, version: POLICY_VERSION, namespace, plural: POLICY_PLURAL, name, body, fieldManager: FIELD_MANAGER,
    }, mergePatch) as Promise<SamplingPolicy>);
  }

  async createPolicy(policy: SamplingPolicy): Promise<SamplingPolicy> {
    return this.retry(() => this.custom.createNamespacedCustomObject({
      group: POLICY_GROUP, version: POLICY_VERSION, namespace: policy.metadata.namespace, plural: POLICY_PLURAL,
      body: { apiVersion: POLICY_API_VERSION, kind: POLICY_KIND, ...policy },
    }) as Promise<SamplingPolicy>);
  }

  async #orUndefined<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }
}
