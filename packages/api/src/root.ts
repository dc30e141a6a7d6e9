import { agentRouter } from './routers/agent.ts';
import { auditRouter } from './routers/audit.ts';
import { authRouter } from './routers/auth.ts';
import { contributionRouter } from './routers/contribution.ts';
import { enrollmentRouter } from './routers/enrollment.ts';
import { healthRouter } from './routers/health.ts';
import { sitesRouter } from './routers/sites.ts';
import { studiesRouter } from './routers/studies.ts';
import { usersRouter } from './routers/users.ts';
import { createTRPCRouter } from './trpc.ts';

/** The hub's whole API, assembled from one router per domain. */
export const appRouter = createTRPCRouter({
  health: healthRouter,
  studies: studiesRouter,
  enrollment: enrollmentRouter,
  sites: sitesRouter,
  agent: agentRouter,
  audit: auditRouter,
  contribution: contributionRouter,
  auth: authRouter,
  users: usersRouter,
});

export type AppRouter = typeof appRouter;
