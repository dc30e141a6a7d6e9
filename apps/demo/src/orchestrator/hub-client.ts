import { createHash } from 'node:crypto';
import { createHubClient, type HubClient } from '@consilium/api/client';
import { AppError, ErrorCode } from '@consilium/errors';

/** What an administrator needs to talk to a hub. */
export interface HubConnection {
  url: string;
  adminToken: string;
}

/** The typed admin API client of a hub (bearer administrator token). */
export function adminClientOf(hub: HubConnection): HubClient {
  return createHubClient({ url: hub.url, headers: () => ({ authorization: `Bearer ${hub.adminToken}` }) });
}

/** A global model's flat float32 parameters, downloaded as an administrator (checked against the hub's hash). */
export async function downloadModelParameters(hub: HubConnection, modelVersionId: string): Promise<Float32Array> {
  const response = await fetch(`${hub.url}/v1/models/${modelVersionId}/parameters`, { headers: { authorization: `Bearer ${hub.adminToken}` } });
  if (!response.ok) throw new AppError(ErrorCode.UNAVAILABLE, `Downloading model ${modelVersionId} failed: HTTP ${response.status} ${await response.text()}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const declared = response.headers.get('x-consilium-sha256');
  if (declared !== createHash('sha256').update(bytes).digest('hex')) throw new AppError(ErrorCode.INVALID_INPUT, `Model ${modelVersionId} arrived corrupted (hash mismatch)`);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}
