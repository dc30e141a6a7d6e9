import { roleLabel } from '../lib/forms.ts';
import { siteHref } from '../lib/roles.ts';
import { signOut } from '../server/auth-actions.ts';
import { getSignedIn, listSites } from '../server/hub.ts';
import { NavLink } from './nav-link.tsx';

/** The header's right side: the main navigation, who is signed in (name, role) and Sign out. */
export async function SessionArea() {
  const signedIn = await getSignedIn();
  if (!signedIn) return null;
  const { user, procedures } = signedIn;
  // Sites, for the roles that may see what left a site (administrators, compliance, a site's own administrator).
  const showSites = procedures.has('sites.uploads');
  // The audit log, for the roles that may read it (compliance officers, administrators).
  const showAudit = procedures.has('audit.events');
  // People and their roles, for those who may list accounts (administrators, compliance officers).
  const showPeople = procedures.has('users.list');
  // A site administrator's own site page (the hub lists only their site).
  const ownSite = user.role === 'site_admin' && !user.passwordChangeRequired ? await ownSiteName() : null;
  return (
    <div className="session-area">
      {user.passwordChangeRequired ? null : (
        <nav aria-label="Main">
          <ul className="nav">
            <li>
              <NavLink href="/">Overview</NavLink>
            </li>
            {ownSite ? (
              <li>
                <NavLink href={siteHref(ownSite)}>My site</NavLink>
              </li>
            ) : showSites ? (
              <li>
                <NavLink href="/sites">Sites</NavLink>
              </li>
            ) : null}
            {showAudit ? (
              <li>
                <NavLink href="/audit">Audit log</NavLink>
              </li>
            ) : null}
            {showPeople ? (
              <li>
                <NavLink href="/people">People</NavLink>
              </li>
            ) : null}
          </ul>
        </nav>
      )}
      <div className="session" aria-label="Signed in" role="group">
        <p className="session__who">
          <span className="session__name">{user.displayName}</span> <span className="session__role">{roleLabel(user.role)}</span>
        </p>
        <form action={signOut}>
          <button type="submit" className="button button--quiet">
            Sign out
          </button>
        </form>
      </div>
    </div>
  );
}

/** The site a site administrator administers, by name (null when the hub cannot say). */
async function ownSiteName(): Promise<string | null> {
  const sites = await listSites();
  return sites.ok && sites.data.length === 1 ? (sites.data[0]?.name ?? null) : null;
}
