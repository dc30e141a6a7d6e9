import { userRoles } from '@consilium/db';
import { z } from 'zod';

/**
 * The roles of people's accounts. The list lives with the schema (its CHECK constraint is built from
 * it); this is its validated, typed form for everything above the database.
 */
export const UserRole = z.enum(userRoles);
export type UserRole = z.infer<typeof UserRole>;

/** Role values by name, for code that names one role (no enums in this codebase). */
export const Roles = {
  CONSORTIUM_ADMIN: 'consortium_admin',
  STUDY_LEAD: 'study_lead',
  SITE_ADMIN: 'site_admin',
  COMPLIANCE_OFFICER: 'compliance_officer',
} as const satisfies Record<string, UserRole>;

/** The audit actor of a person: their id, which never changes (an e-mail could). */
export function userActor(userId: string): string {
  return `user:${userId}`;
}
