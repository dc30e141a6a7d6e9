import { sites, type Executor } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { eq } from 'drizzle-orm';
import { Roles, type UserRole } from './roles.ts';

/**
 * A site admin is bound to exactly one existing site and no other role is bound to one (the table's
 * CHECK enforces the first half too; this says what is wrong in words). Returns the site id to store.
 */
export async function checkSiteBinding(db: Executor, role: UserRole, siteId: string | null | undefined): Promise<string | null> {
  if (role !== Roles.SITE_ADMIN) {
    if (siteId) throw new AppError(ErrorCode.INVALID_INPUT, `Only a site admin is bound to a site; a ${role} has no site`, { details: { field: 'siteId' } });
    return null;
  }
  if (!siteId) throw new AppError(ErrorCode.INVALID_INPUT, 'A site admin must be bound to a site: give its siteId', { details: { field: 'siteId' } });
  const [site] = await db.select({ id: sites.id }).from(sites).where(eq(sites.id, siteId));
  if (!site) throw new AppError(ErrorCode.NOT_FOUND, `Site ${siteId} does not exist`, { details: { siteId } });
  return site.id;
}
