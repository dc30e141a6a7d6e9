import { z } from 'zod';

/**
 * Ways a site can deviate from the protocol, for the contribution benchmark and the tests of the
 * hub's defences (docs/contribution.md). The CLI never sets one: a real agent always behaves. A
 * hospital controls its own agent and could change its code anyway, which is why the hub trusts
 * nothing an agent says; this only lets us show what the hub does about it.
 */
export const SiteBehaviour = z.strictObject({
  /** A free rider: trains on only its first `rows` training rows for `epochs` epochs (and says so). */
  freeRide: z.strictObject({ rows: z.number().int().min(1), epochs: z.number().int().min(1) }).optional(),
  /** An inflater: multiplies the samples in every signed training claim. */
  inflateSamples: z.number().min(1).optional(),
  /** An unreliable site: ignores the training task of these round indices (misses their deadline). */
  missTrainingRounds: z.array(z.number().int().min(0)).optional(),
});
export type SiteBehaviour = z.infer<typeof SiteBehaviour>;
