'use server';
/**
 * People actions (Server Actions): a consortium administrator adds a person with a role, disables an
 * account, or signs a person out everywhere. The hub allows these to consortium administrators only
 * and generates the one-time password itself; the portal never chooses or stores a password.
 */
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { fieldErrorsFrom, refusalMessage, type ActionResult } from '../lib/forms.ts';
import { PERSON_ROLES, type PersonRoleId } from '../lib/people.ts';
import { hubCreatePerson, hubDisablePerson, hubRevokePersonSessions, hubSetPersonRole, type CreatedPerson, type HubMutationResult } from './hub.ts';

export type PersonField = 'email' | 'displayName' | 'role' | 'siteId';

/** Account and site ids are uuids. */
const UserId = z.uuid();

/** Adds a person; answers their one-time password, to be handed over once. */
export async function addPersonAction(input: { email: string; displayName: string; role: string; siteId: string | null }): Promise<ActionResult<CreatedPerson, PersonField>> {
  const email = typeof input.email === 'string' ? input.email.trim() : '';
  const displayName = typeof input.displayName === 'string' ? input.displayName.trim() : '';
  const role = PERSON_ROLES.find((r) => r.id === input.role)?.id;
  const fieldErrors: Partial<Record<PersonField, string>> = {};
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) fieldErrors.email = 'Enter the person\'s work email address, e.g. name@hospital.org.';
  if (displayName.length < 1 || displayName.length > 100) fieldErrors.displayName = 'Enter the name shown in the portal and the audit log (1 to 100 characters).';
  if (!role) fieldErrors.role = 'Choose a role.';
  const siteId = role === 'site_admin' ? input.siteId : null;
  if (role === 'site_admin' && (!siteId || !UserId.safeParse(siteId).success)) fieldErrors.siteId = 'Choose the site this administrator is responsible for.';
  if (Object.keys(fieldErrors).length > 0 || !role) return { ok: false, formError: null, fieldErrors };

  const result = await hubCreatePerson({ email, displayName, role: role satisfies PersonRoleId, siteId });
  if (!result.ok) {
    const { error, problem } = result;
    if (error?.code === 'BAD_REQUEST' || error?.code === 'CONFLICT' || error?.code === 'NOT_FOUND') {
      const mapped = fieldErrorsFrom(error, { email: 'email', displayName: 'displayName', role: 'role', siteId: 'siteId' });
      return { ok: false, formError: mapped.rest, fieldErrors: mapped.fieldErrors };
    }
    return { ok: false, formError: refusalMessage(error, problem), fieldErrors: {} };
  }
  revalidatePath('/people');
  return { ok: true, data: result.data };
}

/** Changes a person's role (a site administrator's site with it); effective on their next page. */
export async function changeRoleAction(input: { userId: string; role: string; siteId: string | null }): Promise<ActionResult<null>> {
  if (!UserId.safeParse(input.userId).success) return { ok: false, formError: 'There is no such person.', fieldErrors: {} };
  const role = PERSON_ROLES.find((r) => r.id === input.role)?.id;
  if (!role) return { ok: false, formError: 'Choose a role.', fieldErrors: {} };
  const siteId = role === 'site_admin' ? input.siteId : null;
  if (role === 'site_admin' && (!siteId || !UserId.safeParse(siteId).success)) return { ok: false, formError: 'Choose the site this administrator is responsible for.', fieldErrors: {} };
  const result = await hubSetPersonRole({ userId: input.userId, role, siteId });
  if (!result.ok) return { ok: false, formError: refusalMessage(result.error, result.problem), fieldErrors: {} };
  revalidatePath('/people');
  return { ok: true, data: null };
}

/** Disables an account: it can no longer sign in, and its sessions end at once. */
export async function disablePersonAction(input: { userId: string }): Promise<ActionResult<{ sessionsRevoked: number }>> {
  return changeAccount(input.userId, hubDisablePerson);
}

/** Ends every session of a person (a lost laptop); they can sign in again with their password. */
export async function signOutPersonAction(input: { userId: string }): Promise<ActionResult<{ sessionsRevoked: number }>> {
  return changeAccount(input.userId, hubRevokePersonSessions);
}

/** One hub change to an account by its id, refused in words, and the people list refreshed after it. */
async function changeAccount<T>(userId: string, call: (input: { userId: string }) => Promise<HubMutationResult<T>>): Promise<ActionResult<T>> {
  if (!UserId.safeParse(userId).success) return { ok: false, formError: 'There is no such person.', fieldErrors: {} };
  const result = await call({ userId });
  if (!result.ok) return { ok: false, formError: refusalMessage(result.error, result.problem), fieldErrors: {} };
  revalidatePath('/people');
  return { ok: true, data: result.data };
}
