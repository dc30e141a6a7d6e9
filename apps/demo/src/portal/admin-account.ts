import type { HubClient } from '@consilium/api/client';

/** The demo hub's consortium administrator, made by the demo for the portal. */
export const DEMO_ADMIN = { email: 'admin@consilium.demo', displayName: 'Demo administrator' } as const;

/**
 * The account to sign in with: just created (with its one-time password, which exists only in
 * this value and is printed once), or made by an earlier run on the same hub database (its
 * password is not known here, and never stored).
 */
export type DemoAdminAccount =
  | { status: 'created'; email: string; oneTimePassword: string }
  | { status: 'existing'; email: string; passwordChangeRequired: boolean; disabled: boolean };

/**
 * Creates the demo's consortium administrator through the admin API, unless the hub's database
 * already has it: once per hub data directory, however many times the demo runs on it.
 */
export async function ensureDemoAdmin(client: HubClient): Promise<DemoAdminAccount> {
  const existing = await findDemoAdmin(client);
  if (existing) return existing;
  try {
    const created = await client.users.create.mutate({ email: DEMO_ADMIN.email, displayName: DEMO_ADMIN.displayName, role: 'consortium_admin' });
    return { status: 'created', email: created.user.email, oneTimePassword: created.oneTimePassword };
  } catch (error) {
    // Another demo on the same hub may have created it between the two calls (the hub refuses a
    // second account for the address): then it is an existing account like any other.
    const raced = await findDemoAdmin(client).catch(() => null);
    if (raced) return raced;
    throw error;
  }
}

async function findDemoAdmin(client: HubClient): Promise<DemoAdminAccount | null> {
  const user = (await client.users.list.query()).find((u) => u.email === DEMO_ADMIN.email);
  return user ? { status: 'existing', email: user.email, passwordChangeRequired: user.passwordChangeRequired, disabled: user.disabledAt !== null } : null;
}
