import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './root.ts';

export { appRouter, type AppRouter } from './root.ts';
export { createCallerFactory, createContext, type ApiContext, type ApiOptions, type RequestInfo } from './trpc.ts';
export { accessPolicy, policyOf, Resource, Scope, type ProcedurePolicy, type RoleGrants } from './access-policy.ts';
export { CSRF_HEADER, SESSION_COOKIE } from './principal.ts';
export { httpStatusOf } from './errors.ts';
export { authorizeStudyDownload, authorizeUserDownload, type AuthorizedDownload } from './user-downloads.ts';
export { createSiteRateLimiter, type SiteRateLimiter, type SiteRateLimitOptions } from './site-rate-limit.ts';
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
