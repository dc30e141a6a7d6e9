/**
 * Authorisation of people's downloads that tRPC cannot carry (binary bodies served by the hub's
 * HTTP layer, e.g. a model version's parameters). Same credentials (principal.ts) and the same
 * access policy (access-policy.ts) as the procedures: a download borrows the policy entry of the
 * procedure that shows the same data (a model's parameters: `studies.progress`, which lists the
 * model versions with their hashes), so who may download is exactly who may see the study.
 */
import type { DomainContext } from '@consilium/domain';
import { AppError, ErrorCode } from '@consilium/errors';
import { policyOf } from './access-policy.ts';
import { authorize, type Access } from './authorization.ts';
import { authenticatePrincipal, type Principal } from './principal.ts';

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
