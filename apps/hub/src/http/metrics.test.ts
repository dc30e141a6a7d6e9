import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HubCrypto } from '@consilium/domain';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpTransport } from '../../test/http-transport.ts';
import { adminOverHttp, setUpStudyOverHttp, statsUpload } from '../../test/study-over-http.ts';
import { createHub, type Hub } from '../create-hub.ts';
import { routeOf } from './metrics.ts';

/** The value of a metric line (`name{labels} value`) in Prometheus text, or undefined. */
function valueOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Prometheus metrics at /metrics', { timeout: 60_000 }, () => {
  let dataDir: string;
  let hub: Hub;
  let url: string;
  let siteCrypto: HubCrypto;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'consilium-hub-metrics-'));
    siteCrypto = new HubCrypto();
    hub = createHub({ dataDir, logger: pino({ level: 'silent' }) });
    url = (await hub.start()).url;
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    await siteCrypto?.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('counts requests and bytes by route, and reports studies, rounds, sites and submissions from the database', async () => {
    // Arrange: a study of three sites past its key ceremony, and one statistics submission.
    const token = (await readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim();
    const transport = httpTransport(() => url);
    const study = await setUpStudyOverHttp({ admin: adminOverHttp(url, token), transport, siteCrypto });
    const upload = await statsUpload(study.sites[0]!, transport, study);
    await transport.submitUpdate(study.sites[0]!, upload.envelope);

    // Act
    const response = await fetch(`${url}/metrics`);
    const text = await response.text();

    // Assert
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(valueOf(text, 'consilium_studies{status="running"}')).toBe(1);
    expect(valueOf(text, 'consilium_rounds{status="collecting"}')).toBe(1);
    expect(valueOf(text, 'consilium_sites{status="active"}')).toBe(3);
    expect(valueOf(text, 'consilium_submissions')).toBe(1);
    expect(valueOf(text, 'consilium_submission_bytes')).toBe(upload.parts.reduce((n, part) => n + part.byteLength, 0));
    expect(valueOf(text, 'consilium_sites_seen_last_5m')).toBe(3);
    expect(valueOf(text, 'consilium_http_requests_total{route="/trpc/agent.submitUpdate",method="POST",status="200"}')).toBe(1);
    expect(valueOf(text, 'consilium_http_received_bytes_total{route="/trpc/agent.submitUpdate"}')).toBeGreaterThanOrEqual(upload.envelope.byteLength);
    expect(text).toMatch(/^consilium_http_request_duration_seconds_count\{route="\/trpc\/agent\.poll",method="POST"\} \d+$/m);
    expect(text).toContain('consilium_hub_process_resident_memory_bytes');
  });

  it('labels routes with bounded values: procedures, binary routes with ids as :id, anything else as other', () => {
    expect(routeOf('/trpc/agent.poll')).toBe('/trpc/agent.poll');
    expect(routeOf('/trpc/studies.list,health.check?batch=1')).toBe('/trpc/studies.list,health.check');
    expect(routeOf('/trpc/<script>')).toBe('/trpc/other');
    expect(routeOf('/v1/rounds/62e9652e-9ab3-488f-b800-15d5f836bf05/aggregate')).toBe('/v1/rounds/:id/aggregate');
    expect(routeOf('/v1/anything/goes/here/and/there')).toBe('/v1/other');
    expect(routeOf('/wp-admin')).toBe('other');
  });
});
