/**
 * `kubectl meshtrace boost <ns>/<workload> --to 100 --for 10m`: sample more for a while. The
 * policy's current spec is saved in an annotation and the controller restores it at expiry; with
 * no policy before, the boost policy just stops writing Telemetry and the earlier setting applies.
 */
import { parseDuration } from '../config/index.js';
import { MAX_BOOST_MS } from '../controller/policy.js';
import { PluginUsageError, parseTarget } from './context.js';
import type { PluginContext } from './context.js';
import { PREVIOUS_SPEC_ANNOTATION, createOrUpdate, findPolicy } from './policies.js';
import { parsePercent } from './sampling.js';

export async function boost(ctx: PluginContext, targetText: string | undefined, to: string | undefined, forText: string | undefined): Promise<void> {
  const { namespace, workload } = parseTarget(targetText, ctx.namespace);
  const percentage = parsePercent(to ?? '100');
  const durationMs = parseDuration(forText ?? '10m');
  if (durationMs === undefined || durationMs <= 0 || durationMs > MAX_BOOST_MS) throw new PluginUsageError(`--for: expected a duration up to 24h such as 10m, got ${JSON.stringify(forText)}`);
  const existing = await findPolicy(ctx, namespace, workload);
  // Keep the spec saved by an earlier boost: boosting a boost must still return to the original.
  const saved = existing === undefined ? undefined
    : existing.spec.boost !== undefined ? existing.metadata.annotations?.[PREVIOUS_SPEC_ANNOTATION] : JSON.stringify(existing.spec);
  const spec = { boost: { percentage, duration: forText ?? '10m', startTime: new Date().toISOString() } };
  const { policy } = await createOrUpdate(ctx, namespace, workload, spec, saved !== undefined ? { [PREVIOUS_SPEC_ANNOTATION]: saved } : {});
  const until = new Date(Date.now() + durationMs).toISOString().slice(11, 19);
  ctx.out.write(`samplingpolicy.meshtrace.io/${policy.metadata.name} boosted: ${namespace}${workload !== undefined ? `/${workload}` : ''} at ${percentage}% until ${until}Z, then ${saved !== undefined ? 'back to its previous spec' : 'back to whatever applied before'}\n`);
}
