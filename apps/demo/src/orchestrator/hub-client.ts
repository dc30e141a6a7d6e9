import { createHubClient, type HubClient } from '@consilium/api/client';

/** What an administrator needs to talk to a hub. */
export interface HubConnection {
  url: string;
  adminToken: string;
}

/** The typed admin API client of a hub (bearer administrator token). */
export function adminClientOf(hub: HubConnection): HubClient {
  return createHubClient({ url: hub.url, headers: () => ({ authorization: `Bearer ${hub.adminToken}` }) });
}
