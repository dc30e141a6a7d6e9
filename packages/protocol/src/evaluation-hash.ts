import { canonicalJson } from './canonical-json.ts';
import { sha256Hex } from './hashing.ts';

/**
 * What a site signs (purpose `evaluation`, round = the model version) when it reports how a global
 * model performs on its held-out data: the hash of the canonical JSON of the model id and metrics.
 */
export function evaluationPayloadHash(input: { modelVersionId: string; metrics: object }): string {
  return sha256Hex(canonicalJson({ modelVersionId: input.modelVersionId, metrics: input.metrics }));
}

/**
 * What a site signs (purpose `claim`, round = the round it is about) when it states its own work
 * for contribution accounting: the hash of the canonical JSON of the round id and the claim.
 */
export function claimPayloadHash(input: { roundId: string; claim: object }): string {
  return sha256Hex(canonicalJson({ roundId: input.roundId, claim: input.claim }));
}
