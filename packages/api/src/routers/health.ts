import { z } from 'zod';
import { createTRPCRouter, publicProcedure } from '../trpc.ts';

export const HealthOutput = z.object({ status: z.literal('ok'), time: z.string(), service: z.literal('consilium-hub') });

export const healthRouter = createTRPCRouter({
  /** Liveness for agents, the portal and load balancers. */
  check: publicProcedure.output(HealthOutput).query(({ ctx }) => ({ status: 'ok' as const, time: ctx.domain.now().toISOString(), service: 'consilium-hub' as const })),
});
