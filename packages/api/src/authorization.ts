/**
 * Applies the access policy (access-policy.ts) to one call of a people's procedure: the caller's
 * role must be granted the procedure, and a scoped grant must cover the resource the input names.
 */
import { loadStudyAccess, Roles, siteIdByName, studyOfEnrollmentToken, type DomainContext, type StudyFilter, type UserRole } from '@consilium/domain';
import { AppError, ErrorCode } from '@consilium/errors';
import { Id } from '@consilium/schemas';
import { z } from 'zod';
import { Resource, Scope, type ProcedurePolicy } from './access-policy.ts';
import { roleOf, type Principal } from './principal.ts';

/** What a procedure may do for this caller: the scope its role was granted, and who they are. */
export interface Access {
  role: UserRole;
  scope: Scope;
  /** Null for an administrator token (no account). */
  userId: string | null;
  /** The site a site admin is bound to. */
  siteId: string | null;
}

type UserPolicy = Extract<ProcedurePolicy, { kind: 'user' }>;

export async function authorize(
  domain: DomainContext,
  call: { principal: Principal; policy: UserPolicy; path: string; type: string; input: unknown },
): Promise<Access> {
  const { principal, policy, path } = call;
  const role = roleOf(principal);
  const scope = policy.roles[role];
  if (!scope) throw new AppError(ErrorCode.FORBIDDEN, `A ${role} may not call ${path}`, { details: { role, procedure: path } });
  // Read-only by construction, whatever a future table entry says.
  if (role === Roles.COMPLIANCE_OFFICER && call.type === 'mutation' && scope !== Scope.SELF) {
    throw new AppError(ErrorCode.FORBIDDEN, 'Compliance officers have read-only access', { details: { role, procedure: path } });
  }
  if (principal.kind === 'user' && principal.user.passwordChangeRequired && !policy.beforePasswordChange) {
    throw new AppError(ErrorCode.FORBIDDEN, 'Change your one-time password first (auth.changePassword)', { details: { reason: 'password_change_required' } });
  }
  const access: Access = {
    role,
    scope,
    userId: principal.kind === 'user' ? principal.user.userId : null,
    siteId: principal.kind === 'user' ? principal.user.siteId : null,
  };
  if (policy.resource && scope !== Scope.ANY) await checkResource(domain, access, policy.resource, call.input);
  return access;
}

function field<K extends string>(input: unknown, key: K, schema: z.ZodType<string>): string {
  const parsed = z.object({ [key]: schema }).safeParse(input);
  if (!parsed.success) throw new AppError(ErrorCode.INVALID_INPUT, `${key} is missing or invalid`, { details: { field: key } });
  return (parsed.data as Record<K, string>)[key];
}

async function checkResource(domain: DomainContext, access: Access, resource: Resource, input: unknown): Promise<void> {
  switch (resource) {
    case Resource.STUDY:
      return checkStudy(domain, access, field(input, 'studyId', Id));
    case Resource.ENROLLMENT_TOKEN: {
      const tokenId = field(input, 'tokenId', Id);
      const studyId = await studyOfEnrollmentToken(domain, tokenId);
      if (!studyId) throw new AppError(ErrorCode.FORBIDDEN, `Enrolment token ${tokenId} is not for one of your studies`);
      return checkStudy(domain, access, studyId);
    }
    case Resource.SITE: {
      const siteName = field(input, 'siteName', z.string());
      if (access.scope !== Scope.OWN_SITE) throw misconfigured(access, resource);
      const siteId = await siteIdByName(domain, siteName);
      if (!siteId || siteId !== access.siteId) throw new AppError(ErrorCode.FORBIDDEN, `"${siteName}" is not your site`, { details: { siteName } });
      return;
    }
  }
}

/** A study that does not exist is refused like one outside the scope: ids are not confirmed to outsiders. */
async function checkStudy(domain: DomainContext, access: Access, studyId: string): Promise<void> {
  const study = await loadStudyAccess(domain, studyId);
  if (access.scope === Scope.LED_STUDY) {
    if (study && access.userId !== null && study.leadUserId === access.userId) return;
    throw new AppError(ErrorCode.FORBIDDEN, `Study ${studyId} is not one you lead`, { details: { studyId } });
  }
  if (access.scope === Scope.MEMBER_STUDY) {
    if (study && access.siteId !== null && study.siteIds.includes(access.siteId)) return;
    throw new AppError(ErrorCode.FORBIDDEN, `Your site is not a member of study ${studyId}`, { details: { studyId } });
  }
  throw misconfigured(access, Resource.STUDY);
}

/** A grant the table cannot mean (e.g. ownSite on a study): refused, never guessed at. */
function misconfigured(access: Access, resource: Resource): AppError {
  return new AppError(ErrorCode.INTERNAL, `Access policy grants scope ${access.scope} on a ${resource} resource, which has no meaning`);
}

// ─── Scopes applied by procedures that have no single resource (lists, creation) ─────────────

/** The studies a list shows the caller. */
export function studyFilterOf(access: Access): StudyFilter {
  if (access.scope === Scope.ANY) return { kind: 'all' };
  if (access.scope === Scope.LED_STUDY && access.userId) return { kind: 'ledBy', userId: access.userId };
  if (access.scope === Scope.MEMBER_STUDY && access.siteId) return { kind: 'withSite', siteId: access.siteId };
  throw new AppError(ErrorCode.INTERNAL, `Access policy grants scope ${access.scope} on a list of studies, which has no meaning`);
}

/** The sites a list shows the caller. */
export function siteFilterOf(access: Access): { siteId?: string } {
  if (access.scope === Scope.ANY) return {};
  if (access.scope === Scope.OWN_SITE && access.siteId) return { siteId: access.siteId };
  throw new AppError(ErrorCode.INTERNAL, `Access policy grants scope ${access.scope} on a list of sites, which has no meaning`);
}

/** Who leads a study the caller creates: a study lead leads their own; administrators create unled studies. */
export function leadOfNewStudy(access: Access): string | null {
  if (access.scope === Scope.ANY) return null;
  if (access.scope === Scope.LED_STUDY && access.userId) return access.userId;
  throw new AppError(ErrorCode.INTERNAL, `Access policy grants scope ${access.scope} on study creation, which has no meaning`);
}
