import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import type { AppRouter } from './root.ts';

export type HubClient = TRPCClient<AppRouter>;

export interface HubClientOptions {
  /** The hub's base URL, e.g. https://hub.example.org. */
  url: string;
  /** Custom fetch (the agent signs every request in it; tests inject failures). */
  fetch?: typeof fetch;
  /** Extra headers, e.g. an administrator's Authorization header. */
  headers?: () => Record<string, string>;
}

/**
 * A typed client of the hub's API. One request per call (no batching), so each agent request is
 * signed on its own; httpLink sends binary inputs (ciphertexts, shares) as application/octet-stream.
 */
export function createHubClient(options: HubClientOptions): HubClient {
  const url = `${options.url.replace(/\/$/, '')}/trpc`;
  const common = { url, ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.headers ? { headers: options.headers } : {}) };
  return createTRPCClient<AppRouter>({
    links: [httpLink(common)],
  });
}
