/**
 * What the portal offers each role. The hub enforces every rule again (its access policy); these
 * only decide which buttons and forms a page shows, so nobody is offered what they cannot do.
 */

export interface PersonRole {
  role: string;
  siteId: string | null;
}

/** Study leads and consortium administrators create studies. */
export function canCreateStudies(person: PersonRole | null): boolean {
  return person?.role === 'consortium_admin' || person?.role === 'study_lead';
}

/**
 * Invite sites, pause, resume and stop a study: its lead and consortium administrators. A study
 * lead sees only the studies they lead, so on a study's page the role decides.
 */
export function canManageStudy(person: PersonRole | null): boolean {
  return canCreateStudies(person);
}

/** Approve or decline a site's part in a study: the administrators of that site only. */
export function canDecideForSite(person: PersonRole | null, siteId: string): boolean {
  return person?.role === 'site_admin' && person.siteId === siteId;
}

/** A site's agent is judged offline after this long without a heartbeat. */
export const OFFLINE_AFTER_MS = 2 * 60_000;

/** Online when the agent's last heartbeat is at most two minutes old. */
export function agentOnline(lastSeenAt: string | null, now: number): boolean {
  if (!lastSeenAt) return false;
  const seen = new Date(lastSeenAt).getTime();
  return Number.isFinite(seen) && now - seen <= OFFLINE_AFTER_MS;
}

/** A site's page. */
export function siteHref(siteName: string): string {
  return `/sites/${encodeURIComponent(siteName)}`;
}
