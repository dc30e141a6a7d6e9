import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHubClient, type HubClient } from '@consilium/api/client';
import { syntheticStudySpec, writeSyntheticHospitals } from '@consilium/data/synthetic';
import { createHub, type Hub, type HubOptions } from '@consilium/hub';
import pino from 'pino';

/** A real hub (HTTP, embedded PGlite) in this process, with a study whose sites enrol with tokens. */
export interface AgentTestHub {
  url: string;
  hub: Hub;
  admin: HubClient;
  studyId: string;
  /** A scratch directory (removed by close()). */
  dir: string;
  /** A synthetic hospital's CSV that matches the study's schema. */
  csv: string;
  /** A fresh one-time enrolment token for a new site. */
  issueToken(siteName: string): Promise<string>;
  close(): Promise<void>;
}

export async function startTestHub(options: { limits?: HubOptions['limits'] } = {}): Promise<AgentTestHub> {
  const dir = await mkdtemp(path.join(tmpdir(), 'consilium-agent-hub-'));
  const hub = createHub({ dataDir: path.join(dir, 'hub'), logger: pino({ level: 'silent' }), ...(options.limits ? { limits: options.limits } : {}) });
  const started = await hub.start();
  const adminToken = (await readFile(started.adminTokenFile!, 'utf8')).trim();
  const admin = createHubClient({ url: started.url, headers: () => ({ authorization: `Bearer ${adminToken}` }) });
  const spec = { ...syntheticStudySpec(), name: `Agent test study ${path.basename(dir)}` };
  const { studyId } = await admin.studies.create.mutate({ spec });
  const [hospital] = await writeSyntheticHospitals(path.join(dir, 'data'), { seed: 7, sites: 1 });
  return {
    url: started.url,
    hub,
    admin,
    studyId,
    dir,
    csv: hospital!.path,
    issueToken: async (siteName) => (await admin.studies.issueToken.mutate({ studyId, siteName })).token,
    close: async () => {
      await hub.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
