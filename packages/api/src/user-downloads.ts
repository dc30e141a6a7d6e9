/**
 * Authorisation of people's downloads that tRPC cannot carry (binary bodies served by the hub's
 * HTTP layer, e.g. a model version's parameters). Same credentials (principal.ts) and the same
 * access policy (access-policy.ts) as the procedures: a download borrows the policy entry of the
 * procedure that shows the same data (a model's parameters: `studies.progress`, which lists the
 * model versions with their hashes), so who may download is exactly who may see the study.
 */
import type { DomainContext } from '@consilium/domain';
import { AppError, ErrorCode } from '@consilium/errors';
import { policyOf, Scope } from './access-policy.ts';
import { authorize, type Access } from './authorization.ts';
import { actorOf, authenticatePrincipal, type Principal } from './principal.ts';

export interface AuthorizedDownload {
  principal: Principal;
  access: Access;
}

/**
 * The caller of a GET download of one study's data, once the procedure `procedure`'s policy grants
 * it on that study: UNAUTHENTICATED without usable credentials, FORBIDDEN outside the grant (a study
 * that does not exist is refused like one outside the caller's scope).
 */
export async function authorizeStudyDownload(
  domain: DomainContext,
  headers: Headers,
  input: { procedure: string; studyId: string; allowedOrigins?: readonly string[] },
): Promise<AuthorizedDownload> {
  const policy = policyOf(input.procedure);
  if (policy?.kind !== 'user' || policy.resource === undefined) {
    throw new AppError(ErrorCode.INTERNAL, `A download cannot borrow the access policy of ${input.procedure}: it is not a people's procedure scoped to a resource`);
  }
  // A GET changes nothing: no CSRF check, like a tRPC query.
  const principal = await authenticatePrincipal(domain, headers, { mutation: false, allowedOrigins: input.allowedOrigins ?? [] });
  const access = await authorize(domain, { principal, policy, path: input.procedure, type: 'query', input: { studyId: input.studyId } });
  return { principal, access };
}

/**
 * The caller of a GET download that is not about one resource (the audit log export borrows
 * `audit.events`, which shows the same events), once `procedure`'s policy grants it: only a policy
 * that grants every role it names `any` can be borrowed, since the download applies no scope of its
 * own. UNAUTHENTICATED without usable credentials, FORBIDDEN for a role outside the grant.
 * `actor` is how the audit log names the caller (`user:<id>`, `admin:<label>`).
 */
export async function authorizeUserDownload(
  domain: DomainContext,
  headers: Headers,
  input: { procedure: string; allowedOrigins?: readonly string[] },
): Promise<AuthorizedDownload & { actor: string }> {
  const policy = policyOf(input.procedure);
  if (policy?.kind !== 'user' || policy.resource !== undefined || Object.values(policy.roles).some((scope) => scope !== Scope.ANY)) {
    throw new AppError(ErrorCode.INTERNAL, `A download cannot borrow the access policy of ${input.procedure}: it is not a people's procedure granted on everything`);
  }
  const principal = await authenticatePrincipal(domain, headers, { mutation: false, allowedOrigins: input.allowedOrigins ?? [] });
  const access = await authorize(domain, { principal, policy, path: input.procedure, type: 'query', input: {} });
  return { principal, access, actor: actorOf(principal) };
}
