/**
 * Decoding of xDS responses: each `google.protobuf.Any` resource is looked up by its type URL and
 * decoded into the same protobuf JSON shape the admin config dump uses (nested Anys expanded with
 * `@type` by protobufjs's Any wrapper). A resource that does not decode makes the whole response
 * invalid: the client NACKs it and keeps the last good state, as Envoy does.
 */
import { messageNameOf } from './json.js';
import { DISCOVERY_RESPONSE, xdsRoot, xdsType } from './protos.js';
import type protobuf from 'protobufjs';

export const LISTENER_TYPE_URL = 'type.googleapis.com/envoy.config.listener.v3.Listener';
const RESOURCE_WRAPPER = 'envoy.service.discovery.v3.Resource';

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly string[] };

export interface RawAny { readonly type_url: string; readonly value: Uint8Array }

export interface DiscoveryResponseEnvelope {
  readonly version_info: string;
  readonly nonce: string;
  readonly type_url: string;
  readonly resources: readonly RawAny[];
}

const TO_JSON: protobuf.IConversionOptions = { json: true, enums: String, longs: String, bytes: String };

function lookupMessage(typeUrl: string): protobuf.Type | undefined {
  try {
    return xdsRoot().lookupType(messageNameOf(typeUrl));
  } catch {
    return undefined;
  }
}

/** One Any as protobuf JSON, or why it cannot be read. */
export function decodeAny(any: RawAny, path: string): Decoded<Record<string, unknown>> {
  const type = lookupMessage(any.type_url);
  if (type === undefined) return { ok: false, errors: [`${path}: unknown type URL ${JSON.stringify(any.type_url)}`] };
  try {
    const message = type.decode(any.value);
    if (type.fullName === `.${RESOURCE_WRAPPER}`) {
      const inner = (message as unknown as { resource?: RawAny }).resource;
      if (inner === undefined) return { ok: false, errors: [`${path}: Resource wrapper without resource`] };
      return decodeAny(inner, `${path}.resource`);
    }
    return { ok: true, value: { '@type': any.type_url, ...type.toObject(message, TO_JSON) } };
  } catch (err) {
    return { ok: false, errors: [`${path}: ${messageNameOf(any.type_url)} does not decode (${(err as Error).message}); truncated or corrupt Any`] };
  }
}

/** Decodes the envelope only; resources stay raw until the caller validates them. */
export function decodeDiscoveryResponse(bytes: Uint8Array): Decoded<DiscoveryResponseEnvelope> {
  try {
    const type = xdsType(DISCOVERY_RESPONSE);
    const r = type.toObject(type.decode(bytes), { longs: String, enums: String, defaults: true }) as DiscoveryResponseEnvelope;
    return { ok: true, value: r };
  } catch (err) {
    return { ok: false, errors: [`DiscoveryResponse does not decode: ${(err as Error).message}`] };
  }
}

/** All resources of a response, all of the expected type, or every problem found. */
export function decodeResources(response: DiscoveryResponseEnvelope, expectedTypeUrl: string): Decoded<Record<string, unknown>[]> {
  const errors: string[] = [];
  const values: Record<string, unknown>[] = [];
  response.resources.forEach((r, i) => {
    const path = `resources[${i}]`;
    if (r.type_url !== expectedTypeUrl && !r.type_url.endsWith(RESOURCE_WRAPPER)) {
      errors.push(`${path}: type URL ${JSON.stringify(r.type_url)} in a response for ${expectedTypeUrl}`);
      return;
    }
    const decoded = decodeAny(r, path);
    if (!decoded.ok) errors.push(...decoded.errors);
    else if (expectedTypeUrl === LISTENER_TYPE_URL && typeof decoded.value['name'] !== 'string') errors.push(`${path}: Listener without a name`);
    else values.push(decoded.value);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: values };
}
