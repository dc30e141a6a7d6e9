import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deposit, fund, Ledger, reward, slash, stake } from '@consilium/contribution/ledger';
import { ledgerToNdjson } from '@consilium/contribution/ledger-ndjson';
import { buildOwnershipStatement, signOwnershipStatement } from '@consilium/contribution/statement';
import type { OwnershipStatement } from '@consilium/contribution/statement';
import { fingerprint, generateIdentity } from '@consilium/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliScript, runCli } from '../test/run-cli.ts';

/** `consilium-ownership` run as a verifier would: a statement file, the hub's key, maybe the ledger. */
const cli = cliScript('ownership-cli.ts');

const ownership = (args: string[]) => runCli(cli, args);

describe('consilium-ownership', { timeout: 60_000 }, () => {
  const hub = generateIdentity();
  let dir: string;
  let statement: OwnershipStatement;
  const file = (name: string) => path.join(dir, name);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'consilium-ownership-cli-'));
    const ledger = new Ledger();
    for (const site of ['north', 'south']) {
      ledger.append(deposit({ id: `dep:${site}`, siteId: site, amount: 5_000_000n }));
      ledger.append(stake({ id: `stake:st:${site}`, studyId: 'st', siteId: site, amount: 5_000_000n }));
    }
    ledger.append(fund({ id: 'fund:st', studyId: 'st', amount: 100_000_000n }));
    ledger.append(reward({ id: 'reward:st:1:north', studyId: 'st', siteId: 'north', round: 1, amount: 30_000_000n }));
    ledger.append(reward({ id: 'reward:st:1:south', studyId: 'st', siteId: 'south', round: 1, amount: 10_000_000n }));
    ledger.append(slash({ id: 'slash:st:1:south', studyId: 'st', siteId: 'south', round: 1, amount: 1_000_000n, reason: 'replayed ciphertext', evidence: [] }));
    const body = buildOwnershipStatement({
      study: { id: 'st', name: 'Readmission risk' },
      status: 'completed',
      rounds: 1,
      entries: ledger.entries,
      siteNames: new Map([
        ['north', 'North General'],
        ['south', 'South <script>alert(1)</script>'],
      ]),
      reputation: new Map([
        ['north', 0.95],
        ['south', 0.4],
      ]),
      flags: new Map([['south', 1]]),
      issuedAt: '2025-04-02T09:30:00.000Z',
    });
    statement = signOwnershipStatement(body, hub.privateKeyPem);
    await writeFile(file('statement.json'), `${JSON.stringify(statement, null, 2)}\n`);
    await writeFile(file('hub.pub'), `${hub.publicKey}\n`);
    await writeFile(file('ledger.ndjson'), ledgerToNdjson(ledger.entries));
    const tampered = structuredClone(statement);
    // 75/25 becomes 76/24: still 100% in total, so only the signature and the apportionment give it away.
    tampered.shares[0]!.units = '76000000';
    tampered.shares[0]!.percent = '76.000000%';
    tampered.shares[1]!.units = '24000000';
    tampered.shares[1]!.percent = '24.000000%';
    await writeFile(file('tampered.json'), JSON.stringify(tampered));
    // The same ledger with one reward changed: digest and recomputation both differ.
    await writeFile(file('ledger-edited.ndjson'), ledgerToNdjson(ledger.entries).replace('"amount":"30000000"', '"amount":"20000000"').replace('"amount":"-30000000"', '"amount":"-20000000"'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('verifies a statement with the pinned key (file or base64), and against the ledger', async () => {
    const ok = await ownership(['verify', file('statement.json'), '--public-key', file('hub.pub')]);
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(ok.stdout).toMatch(/^OK: ownership statement of study "Readmission risk" \(st\) verified, issued 2025-04-02T09:30:00.000Z\.\n/);
    expect(ok.stdout).toContain(`Signed by the pinned hub key ${fingerprint(hub.publicKey)}; 2 sites, shares sum to exactly 100%.`);
    expect(ok.stdout).toContain('75.000000%  North General (north)');
    expect(ok.stdout).toContain('not recomputed from the ledger');

    const withLedger = await ownership(['verify', file('statement.json'), '--public-key', hub.publicKey, '--ledger', file('ledger.ndjson')]);
    expect(withLedger).toMatchObject({ code: 0, stderr: '' });
    expect(withLedger.stdout).toContain(`Recomputed from the ledger (8 entries, SHA-256 ${statement.ledger.digest}): every share, stake, slash and total matches.`);

    const asJson = await ownership(['verify', file('statement.json'), '--public-key', file('hub.pub'), '--json']);
    expect(asJson.code).toBe(0);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ verified: true, keySource: 'pinned', problems: [], study: { id: 'st' } });
  });

  it('exits 1 naming the problem when a share was edited', async () => {
    const result = await ownership(['verify', file('tampered.json'), '--public-key', file('hub.pub')]);

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^NOT VERIFIED: .*tampered\.json is not a valid ownership statement \(checked with the pinned hub key\)\.\n/);
    expect(result.stdout).toContain('- the signature does not verify with the hub key');
    expect(result.stdout).toContain('- site "North General" (north): 76.000000% is not its share of the stated rewards (75.000000% for 30.000000 credits)');
  });

  it('exits 1 for a statement signed by another key, or that does not match the ledger', async () => {
    const other = generateIdentity();

    const wrongKey = await ownership(['verify', file('statement.json'), '--public-key', other.publicKey]);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout).toContain(`- the statement is signed by key ${fingerprint(hub.publicKey)}, not the pinned hub key ${fingerprint(other.publicKey)}`);

    const wrongLedger = await ownership(['verify', file('statement.json'), '--public-key', file('hub.pub'), '--ledger', file('ledger-edited.ndjson')]);
    expect(wrongLedger.code).toBe(1);
    expect(wrongLedger.stdout).toContain('- the ledger digest does not match');
    expect(wrongLedger.stdout).toContain('- site "North General" (north) differs from the ledger: the statement gives 75.000000%');
  });

  it('exits 2 without a pinned key, and 0 with --trust-statement-key (with a warning)', async () => {
    const unpinned = await ownership(['verify', file('statement.json')]);
    expect(unpinned.code).toBe(2);
    expect(unpinned.stdout).toMatch(/^NOT VERIFIED: no pinned hub key\./);
    expect(unpinned.stderr).toMatch(/^WARNING: no --public-key given/);

    const trusted = await ownership(['verify', file('statement.json'), '--trust-statement-key']);
    expect(trusted.code).toBe(0);
    expect(trusted.stdout).toContain('the key it names (NOT pinned, trusted by --trust-statement-key)');
    expect(trusted.stderr).toMatch(/^WARNING: --trust-statement-key/);

    // An unpinned statement that is also inconsistent is invalid, not merely unverified.
    const tampered = await ownership(['verify', file('tampered.json'), '--trust-statement-key']);
    expect(tampered.code).toBe(1);
  });

  it('exits 2 on usage errors, unreadable files and malformed keys', async () => {
    expect((await ownership([])).code).toBe(2);
    expect((await ownership(['verify'])).code).toBe(2);
    const both = await ownership(['verify', file('statement.json'), '--public-key', file('hub.pub'), '--trust-statement-key']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/cannot be used with/);
    const missing = await ownership(['verify', file('nope.json'), '--public-key', file('hub.pub')]);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/^consilium-ownership: INVALID_INPUT: cannot read the statement .*nope\.json/) });
    const badKey = await ownership(['verify', file('statement.json'), '--public-key', 'c2hvcnQ=']);
    expect(badKey).toMatchObject({ code: 2, stderr: expect.stringMatching(/--public-key: the value is not an Ed25519 public key/) });
    await writeFile(file('bad.ndjson'), '{"id":1}\n');
    const badLedger = await ownership(['verify', file('statement.json'), '--public-key', file('hub.pub'), '--ledger', file('bad.ndjson')]);
    expect(badLedger).toMatchObject({ code: 2, stderr: expect.stringMatching(/--ledger .*bad\.ndjson: ledger NDJSON line 1 is not a ledger entry/) });
  });

  it('renders the statement as an escaped standalone HTML page', async () => {
    const out = file('statement.html');
    const written = await ownership(['html', file('statement.json'), '--out', out]);
    expect(written).toMatchObject({ code: 0, stderr: '' });
    const html = await readFile(out, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('South &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script');
    expect(html).toContain(statement.signature);

    const toStdout = await ownership(['html', file('statement.json')]);
    expect(toStdout).toMatchObject({ code: 0, stdout: html });

    await writeFile(file('malformed.json'), JSON.stringify({ ...statement, shares: [] }));
    const malformed = await ownership(['html', file('malformed.json')]);
    expect(malformed).toMatchObject({ code: 1, stderr: expect.stringMatching(/NOT VALID: INVALID_INPUT: The ownership statement is malformed: shares/) });
  });
});
