import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createHubClient, type HubClient } from '@consilium/api/client';
import { AppError, ErrorCode } from '@consilium/errors';

export interface AdminConnection {
  hubUrl: string;
  token: string;
}

/**
 * Finds the administrator token: an explicit flag or CONSILIUM_ADMIN_TOKEN, else the token the hub
 * wrote into its data directory on first start.
 */
export async function resolveAdminToken(options: { token?: string | undefined; dataDir: string }): Promise<string> {
  if (options.token) return options.token;
  const file = path.join(options.dataDir, 'admin-token');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    throw new AppError(
      ErrorCode.UNAUTHENTICATED,
      `No administrator token: pass --token, set CONSILIUM_ADMIN_TOKEN, or run this where the hub's data directory (${file}) is readable`,
    );
  }
}

export function adminClient(connection: AdminConnection): HubClient {
  return createHubClient({ url: connection.hubUrl, headers: () => ({ authorization: `Bearer ${connection.token}` }) });
}
