import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { FactorRef } from '../factors/types.js';
import type { Provenance } from './types.js';

/** RFC 8785 canonical JSON; throws on values JSON cannot represent (NaN, Infinity). */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON representation');
  return text;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The provenance record: no timestamps or run ids go into the hash, so the same agent
 * version, input and factor versions always hash the same.
 */
export function provenanceOf(
  agentId: string,
  agentVersion: string,
  input: unknown,
  factors: readonly FactorRef[],
): Provenance {
  const refs = factors.map((f) => ({ id: f.id, dataset: f.dataset, dataset_version: f.datasetVersion }));
  const hash = sha256Hex(
    canonicalJson({ agent_id: agentId, agent_version: agentVersion, input, factors: refs }),
  );
  return { agent_id: agentId, agent_version: agentVersion, factors: refs, hash, algorithm: 'sha256/rfc8785' };
}
