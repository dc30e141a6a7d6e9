import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { AppError, ErrorCode } from '@consilium/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deposit, fund, Ledger, release, reward, slash, stake } from './ledger.ts';
import type { LedgerEntry } from './ledger.ts';
import { ledgerToNdjson, parseLedgerNdjson } from './ledger-ndjson.ts';
import { PERCENT_UNITS } from './ownership.ts';
import {
  buildOwnershipStatement,
  formatMicroCredits,
  ledgerDigest,
  ownershipStatementProblem,
  ownershipStatementProblems,
  parseOwnershipStatement,
  renderOwnershipStatementHtml,
  signOwnershipStatement,
} from './statement.ts';
import type { OwnershipStatement, OwnershipStatementBody } from './statement.ts';

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ format: 'raw-public' }).toString('base64'),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

const hub = keyPair();
const credits = (n: number) => BigInt(Math.round(n * 1_000_000));
const EVIL = '<script>alert("x")</script> & Co';

/**
 * Study s1: sites a, b and c (named EVIL) stake 100 credits each; the pool of 100 pays a 12.5,
 * b 10 and c 10; c is slashed 30, b's stake is released; d is enrolled but never did anything.
 * Another study's entries are in the same ledger and must not leak into s1's statement.
 */
function fixtureLedger(): LedgerEntry[] {
  const ledger = new Ledger();
  for (const site of ['a', 'b', 'c']) ledger.append(deposit({ id: `dep:${site}`, siteId: site, amount: credits(1000) }));
  ledger.append(fund({ id: 'fund:s1', studyId: 's1', amount: credits(100) }));
  ledger.append(fund({ id: 'fund:s2', studyId: 's2', amount: credits(50) }));
  for (const site of ['a', 'b', 'c']) ledger.append(stake({ id: `stake:s1:${site}`, studyId: 's1', siteId: site, amount: credits(100) }));
  for (const site of ['a', 'b', 'c']) ledger.append(reward({ id: `reward:s1:1:${site}`, studyId: 's1', siteId: site, round: 1, amount: credits(10) }));
  ledger.append(reward({ id: 'reward:s1:2:a', studyId: 's1', siteId: 'a', round: 2, amount: credits(2.5) }));
  ledger.append(reward({ id: 'reward:s2:1:c', studyId: 's2', siteId: 'c', round: 1, amount: credits(40) }));
  ledger.append(
    slash({
      id: 'slash:s1:2:c',
      studyId: 's1',
      siteId: 'c',
      round: 2,
      amount: credits(30),
      reason: 'replayed ciphertext',
      evidence: [{ kind: 'submission', siteId: 'c', round: 2, reason: 'replayed-ciphertext', detail: 'ciphertext of round 1 re-sent' }],
    }),
  );
  ledger.append(release({ id: 'release:s1:b', studyId: 's1', siteId: 'b', amount: credits(100) }));
  return [...ledger.entries];
}

function fixtureBody(entries: readonly LedgerEntry[] = fixtureLedger()): OwnershipStatementBody {
  return buildOwnershipStatement({
    study: { id: 's1', name: 'Sepsis <early> warning' },
    status: 'completed',
    rounds: 2,
    entries,
    siteNames: new Map([
      ['a', 'Alpha Hospital'],
      ['b', 'Beta Clinic'],
      ['c', EVIL],
      ['d', 'Delta'],
    ]),
    reputation: new Map([
      ['a', 0.9],
      ['b', 0.8],
      ['c', 0.2],
      ['d', 0.5],
    ]),
    flags: new Map([['c', 3]]),
    issuedAt: new Date('2025-03-01T12:00:00.000Z'),
  });
}

/** A copy with `mutate` applied, as an attacker editing statement.json would. */
function edited(statement: OwnershipStatement, mutate: (s: OwnershipStatement) => void): OwnershipStatement {
  const copy = structuredClone(statement);
  mutate(copy);
  return copy;
}

describe('buildOwnershipStatement', () => {
  it('computes shares, stakes, slashes and totals of one study from the ledger', () => {
    const entries = fixtureLedger();

    const body = fixtureBody(entries);

    expect(body.format).toBe('consilium.ownership-statement/1');
    expect(body.study).toEqual({ id: 's1', name: 'Sepsis <early> warning' });
    expect(body.issuedAt).toBe('2025-03-01T12:00:00.000Z');
    expect(body.ledger).toEqual({ entries: entries.length, lastEntryId: 'release:s1:b', digest: ledgerDigest(entries) });
    // 12.5 / 32.5 = 38.4615384…%, 10 / 32.5 = 30.7692307…%: the two leftover units go to b and c.
    expect(body.shares).toEqual([
      { siteId: 'a', siteName: 'Alpha Hospital', rewardMicro: '12500000', units: '38461538', percent: '38.461538%', stakeMicro: '100000000', slashedMicro: '0', reputation: 0.9, flags: 0 },
      { siteId: 'b', siteName: 'Beta Clinic', rewardMicro: '10000000', units: '30769231', percent: '30.769231%', stakeMicro: '0', slashedMicro: '0', reputation: 0.8, flags: 0 },
      { siteId: 'c', siteName: EVIL, rewardMicro: '10000000', units: '30769231', percent: '30.769231%', stakeMicro: '70000000', slashedMicro: '30000000', reputation: 0.2, flags: 3 },
      { siteId: 'd', siteName: 'Delta', rewardMicro: '0', units: '0', percent: '0.000000%', stakeMicro: '0', slashedMicro: '0', reputation: 0.5, flags: 0 },
    ]);
    // s2's 40-credit reward to c is not counted in s1.
    expect(body.totals).toEqual({ rewardedMicro: '32500000', slashedMicro: '30000000', poolRemainingMicro: '67500000' });
  });

  it('refuses a site with a stake or reward but no name, and a study nobody has earned in yet', () => {
    const entries = fixtureLedger();
    const input = { study: { id: 's1', name: 'x' }, status: 'running', rounds: 2, entries, reputation: new Map([['a', 1]]), issuedAt: '2025-03-01T12:00:00.000Z' };

    expect(() => buildOwnershipStatement({ ...input, siteNames: new Map([['a', 'Alpha']]) })).toThrow(/site b has a stake or reward in study s1 but no name/);
    const noRewards = entries.filter((e) => e.kind !== 'reward');
    expect(() => buildOwnershipStatement({ ...input, entries: noRewards, siteNames: new Map([['a', 'A'], ['b', 'B'], ['c', 'C']]), reputation: new Map([['a', 1], ['b', 1], ['c', 1]]) })).toThrow(
      expect.objectContaining({ code: ErrorCode.WRONG_STATE }) as AppError,
    );
  });
});

describe('ledgerDigest', () => {
  it('is SHA-256 of the canonical JSON array of the entries, amounts as decimal strings', () => {
    const entry = fund({ id: 'f1', studyId: 's1', amount: 5n });
    const canonical =
      '[{"id":"f1","kind":"fund","memo":"study funding","postings":[{"account":"external","amount":"-5"},{"account":"pool:s1","amount":"5"}],"round":null,"siteId":null,"studyId":"s1"}]';

    expect(ledgerDigest([entry])).toBe(createHash('sha256').update(canonical).digest('hex'));
  });

  it('depends on entry order and content but not on key order', () => {
    const entries = fixtureLedger();
    const reordered = entries.map((e) => Object.fromEntries(Object.entries(e).reverse()) as unknown as LedgerEntry);
    const swapped = [entries[1]!, entries[0]!, ...entries.slice(2)];

    expect(ledgerDigest(reordered)).toBe(ledgerDigest(entries));
    expect(ledgerDigest(swapped)).not.toBe(ledgerDigest(entries));
    expect(ledgerDigest(entries.slice(0, -1))).not.toBe(ledgerDigest(entries));
  });
});

describe('signOwnershipStatement and ownershipStatementProblem', () => {
  it('verifies a signed statement, also after a JSON round trip', () => {
    const entries = fixtureLedger();
    const statement = signOwnershipStatement(fixtureBody(entries), hub.privateKeyPem);

    expect(statement.publicKey).toBe(hub.publicKey);
    expect(ownershipStatementProblem(statement, { publicKey: hub.publicKey })).toBeNull();
    const reread = parseOwnershipStatement(JSON.stringify(statement, null, 2));
    expect(ownershipStatementProblem(reread, { publicKey: hub.publicKey, entries })).toBeNull();
    expect(ownershipStatementProblem(reread, { publicKey: hub.publicKey, entries: parseLedgerNdjson(ledgerToNdjson(entries)) })).toBeNull();
  });

  it('names the site whose share was moved, and the broken signature', () => {
    const statement = signOwnershipStatement(fixtureBody(), hub.privateKeyPem);
    // One percentage point moved from b to a: still 100% in total.
    const tampered = edited(statement, (s) => {
      s.shares[0]!.units = '39461538';
      s.shares[0]!.percent = '39.461538%';
      s.shares[1]!.units = '29769231';
      s.shares[1]!.percent = '29.769231%';
    });

    const problems = ownershipStatementProblems(tampered, { publicKey: hub.publicKey });

    expect(problems).toEqual([
      expect.stringMatching(/^the signature does not verify with the hub key [0-9a-f]{4}(:[0-9a-f]{4}){3}: the statement was edited/),
      'site "Alpha Hospital" (a): 39.461538% is not its share of the stated rewards (38.461538% for 12.500000 credits)',
    ]);
    expect(ownershipStatementProblem(tampered, { publicKey: hub.publicKey })).toBe(problems.join('; '));
  });

  it('catches an edit of a field the ledger does not hold (a name) by the signature alone', () => {
    const statement = signOwnershipStatement(fixtureBody(), hub.privateKeyPem);
    const renamed = edited(statement, (s) => {
      s.shares[3]!.siteName = 'Delta (majority owner)';
    });

    expect(ownershipStatementProblem(renamed, { publicKey: hub.publicKey, entries: fixtureLedger() })).toMatch(/^the signature does not verify/);
  });

  it('refuses a statement signed by another key than the pinned one', () => {
    const attacker = keyPair();
    const forged = signOwnershipStatement(fixtureBody(), attacker.privateKeyPem);

    expect(ownershipStatementProblem(forged, { publicKey: attacker.publicKey })).toBeNull();
    expect(ownershipStatementProblem(forged, { publicKey: hub.publicKey })).toMatch(/^the statement is signed by key [0-9a-f:]{19}, not the pinned hub key [0-9a-f:]{19}$/);
    // Claiming the hub's key does not help: the signature is checked with the pinned key.
    const claimed = edited(forged, (s) => {
      s.publicKey = hub.publicKey;
    });
    expect(ownershipStatementProblem(claimed, { publicKey: hub.publicKey })).toMatch(/^the signature does not verify/);
  });

  it('reports shares that do not sum to exactly 100%, even when validly signed', () => {
    // A signer that does not use signOwnershipStatement (which refuses this) signs the documented bytes itself.
    const body = fixtureBody();
    body.shares[3]!.units = '1';
    body.shares[3]!.percent = '0.000001%';
    const unsigned = { ...body, publicKey: hub.publicKey };
    const { privateKeyPem } = hub;
    const bytes = Buffer.from(`CONSILIUM-OWNERSHIP-STATEMENT-V1\n${sortedJson(unsigned)}`, 'utf8');
    const statement = { ...unsigned, signature: sign(null, bytes, privateKeyPem).toString('base64') };

    const problems = ownershipStatementProblems(statement, { publicKey: hub.publicKey });

    expect(problems[0]).toBe('the shares sum to 100.000001%, not exactly 100%');
    expect(problems).toContain('site "Delta" (d): 0.000001% is not its share of the stated rewards (0.000000% for 0.000000 credits)');
    expect(() => signOwnershipStatement(body, hub.privateKeyPem)).toThrow(/Cannot sign an inconsistent ownership statement: the shares sum to 100.000001%/);
  });

  it('given the ledger, reports a digest mismatch and the first site that differs from the recomputation', () => {
    const entries = fixtureLedger();
    const statement = signOwnershipStatement(fixtureBody(entries), hub.privateKeyPem);
    const more = [...entries, reward({ id: 'reward:s1:3:c', studyId: 's1', siteId: 'c', round: 3, amount: credits(20) })];

    const problems = ownershipStatementProblems(statement, { publicKey: hub.publicKey, entries: more });

    expect(problems[0]).toMatch(new RegExp(`^the ledger digest does not match: the statement pins ${entries.length} entries with digest ${statement.ledger.digest}, the ledger given has ${more.length} entries`));
    expect(problems[1]).toMatch(/^site "Alpha Hospital" \(a\) differs from the ledger: the statement gives 38.461538% .*the ledger gives 23.809524%/);
    expect(problems[2]).toMatch(/^the totals differ from the ledger: the statement gives rewarded 32.500000,.* the ledger gives 52.500000, 30.000000, 47.500000$/);
  });

  it('names the first site whose share differs when a hub signs shares the ledger does not support', () => {
    // Self-consistent lie: b's reward is inflated and everything re-apportioned, then validly signed.
    const entries = fixtureLedger();
    const honest = fixtureBody(entries);
    const lie = buildOwnershipStatement({
      study: honest.study,
      status: honest.status,
      rounds: honest.rounds,
      entries: [...entries, reward({ id: 'extra', studyId: 's1', siteId: 'b', round: 2, amount: credits(5) })],
      siteNames: new Map(honest.shares.map((s) => [s.siteId, s.siteName])),
      reputation: new Map(honest.shares.map((s) => [s.siteId, s.reputation])),
      flags: new Map([['c', 3]]),
      issuedAt: honest.issuedAt,
    });
    const signed = signOwnershipStatement({ ...lie, ledger: honest.ledger, totals: { ...lie.totals, poolRemainingMicro: honest.totals.poolRemainingMicro } }, hub.privateKeyPem);

    const problems = ownershipStatementProblems(signed, { publicKey: hub.publicKey, entries });

    expect(problems[0]).toMatch(/^site "Alpha Hospital" \(a\) differs from the ledger: the statement gives 33.333333% \(reward 12.500000, stake 100.000000, slashed 0.000000\), the ledger gives 38.461538%/);
    expect(problems).toHaveLength(2); // and the rewarded total
  });

  it('reports a site the statement leaves out', () => {
    const entries = fixtureLedger();
    const body = fixtureBody(entries);
    // Site e joins (stakes) after the statement's sites were chosen; the statement is then signed over that ledger.
    const ledger = new Ledger();
    for (const entry of entries) ledger.append(entry);
    ledger.append(deposit({ id: 'dep:e', siteId: 'e', amount: credits(5) }));
    ledger.append(stake({ id: 'stake:s1:e', studyId: 's1', siteId: 'e', amount: credits(5) }));
    const signed = signOwnershipStatement({ ...body, ledger: { entries: ledger.entries.length, lastEntryId: 'stake:s1:e', digest: ledgerDigest(ledger.entries) } }, hub.privateKeyPem);

    expect(ownershipStatementProblems(signed, { publicKey: hub.publicKey, entries: ledger.entries })).toEqual(['site e has a stake or reward in the ledger but is missing from the statement']);
  });

  it('reports a malformed statement and throws on a malformed pinned key', () => {
    const statement = signOwnershipStatement(fixtureBody(), hub.privateKeyPem);

    expect(ownershipStatementProblem({ ...statement, shares: [{ ...statement.shares[0], rewardMicro: 12.5 }] }, { publicKey: hub.publicKey })).toMatch(
      /^the statement is malformed: shares\.0\.rewardMicro/,
    );
    expect(ownershipStatementProblem({ ...statement, extra: 1 }, { publicKey: hub.publicKey })).toMatch(/^the statement is malformed/);
    expect(() => ownershipStatementProblem(statement, { publicKey: 'not-a-key' })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_INPUT }) as AppError);
    expect(() => parseOwnershipStatement('{')).toThrow(/not valid JSON/);
  });
});

/** The documented canonical JSON, written independently of the package's serialiser. */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

describe('formatMicroCredits', () => {
  it('formats exactly with six decimals, without floating point', () => {
    expect(formatMicroCredits(0n)).toBe('0.000000');
    expect(formatMicroCredits('1')).toBe('0.000001');
    expect(formatMicroCredits(12_500_000n)).toBe('12.500000');
    expect(formatMicroCredits(-1_000_001n)).toBe('-1.000001');
    expect(formatMicroCredits(`${10n ** 30n + 7n}`)).toBe('1000000000000000000000000.000007');
    expect(() => formatMicroCredits('1.5')).toThrow(AppError);
  });
});

describe('renderOwnershipStatementHtml', () => {
  const statement = signOwnershipStatement(fixtureBody(), hub.privateKeyPem);
  const html = renderOwnershipStatementHtml(statement);

  it('is a standalone page with the figures, the digest, the key fingerprint, the signature and how to verify', () => {
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
    expect(html).toMatch(/<\/html>\n$/);
    expect(html).toContain('@media print');
    expect(html).toContain('<td class="num">38.461538%</td><td class="num">12.500000</td><td class="num">100.000000</td><td class="num">0.000000</td><td class="num">0.9</td><td class="num">0</td>');
    expect(html).toContain('<td class="num">30.769231%</td><td class="num">10.000000</td><td class="num">70.000000</td><td class="num">30.000000</td><td class="num">0.2</td><td class="num">3</td>');
    expect(html).toContain('<td class="num">100.000000%</td><td class="num">32.500000</td>');
    expect(html).toContain('2025-03-01T12:00:00.000Z');
    expect(html).toContain(statement.ledger.digest);
    expect(html).toContain(statement.signature);
    const fingerprint = createHash('sha256').update(Buffer.from(hub.publicKey, 'base64')).digest('hex').slice(0, 16).match(/.{4}/g)!.join(':');
    expect(html).toContain(`fingerprint <code>${fingerprint}</code>`);
    expect(html).toContain('consilium-ownership verify statement.json --public-key &lt;file&gt;');
  });

  it('escapes every text and loads nothing from outside', () => {
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(html).toContain('<title>Ownership statement: Sepsis &lt;early&gt; warning</title>');
    expect(html).not.toMatch(/\b(src|href)=|url\(|@import|https?:/i);
  });

  it('refuses a malformed statement', () => {
    expect(() => renderOwnershipStatementHtml({ ...statement, signature: 'x' })).toThrow(/malformed ownership statement: signature/);
  });
});

describe('ledger NDJSON', () => {
  it('round-trips entries, evidence and amounts beyond 2^53 exactly', () => {
    const entries = [...fixtureLedger(), deposit({ id: 'big', siteId: 'z', amount: 2n ** 80n + 1n })];

    const text = ledgerToNdjson(entries);
    const back = parseLedgerNdjson(text);

    expect(text.split('\n')).toHaveLength(entries.length + 1);
    expect(text).toContain('"amount":"1208925819614629174706177"');
    expect(back).toEqual(entries.map((e) => ({ ...e, postings: [...e.postings] })));
    expect(back.find((e) => e.id === 'slash:s1:2:c')?.evidence).toEqual([{ kind: 'submission', siteId: 'c', round: 2, reason: 'replayed-ciphertext', detail: 'ciphertext of round 1 re-sent' }]);
    expect(ledgerToNdjson(back)).toBe(text);
    expect(ledgerDigest(back)).toBe(ledgerDigest(entries));
    expect(parseLedgerNdjson(text.replaceAll('\n', '\r\n'))).toEqual(back);
    expect(ledgerToNdjson([])).toBe('');
    expect(parseLedgerNdjson('')).toEqual([]);
  });

  it('names the first bad line', () => {
    const lines = ledgerToNdjson(fixtureLedger()).split('\n');
    const withLine = (i: number, line: string) => lines.map((l, j) => (j === i ? line : l)).join('\n');

    expect(() => parseLedgerNdjson(withLine(2, lines[2]!.replace('"amount":"-1000000000"', '"amount":-1000000000')))).toThrow(/^ledger NDJSON line 3 is not a ledger entry: postings\.0\.amount/);
    expect(() => parseLedgerNdjson(withLine(1, lines[1]!.replace('"1000000000"', '"1000000000.5"')))).toThrow(/line 2 is not a ledger entry: postings\.1\.amount: must be an integer amount/);
    expect(() => parseLedgerNdjson(withLine(4, '{'))).toThrow(/^ledger NDJSON line 5 is not valid JSON$/);
    expect(() => parseLedgerNdjson(withLine(0, ''))).toThrow(/^ledger NDJSON line 1 is empty$/);
    expect(() => parseLedgerNdjson(withLine(0, lines[0]!.replace('"kind":"deposit"', '"kind":"mint"')))).toThrow(/line 1 is not a ledger entry: kind/);
  });
});

describe('statements from random ledgers (property)', () => {
  const SITES = ['a', 'b', 'c', 'd'] as const;
  const op = fc.oneof(
    fc.record({ kind: fc.constant('reward' as const), site: fc.nat(3), study: fc.nat(1), amount: fc.bigInt({ min: 1n, max: 10n ** 13n }) }),
    fc.record({ kind: fc.constant('slash' as const), site: fc.nat(3), study: fc.nat(1), amount: fc.bigInt({ min: 1n, max: 10n ** 9n }) }),
    fc.record({ kind: fc.constant('release' as const), site: fc.nat(3), study: fc.nat(1), amount: fc.bigInt({ min: 1n, max: 10n ** 9n }) }),
  );

  it('always verify, against the ledger too, and their shares sum to exactly PERCENT_UNITS', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: 10n ** 9n }), { minLength: 4, maxLength: 4 }),
        fc.bigInt({ min: 1n, max: 10n ** 14n }),
        fc.array(op, { minLength: 1, maxLength: 30 }),
        (stakes, pool, ops) => {
          const ledger = new Ledger();
          for (const study of ['s0', 's1']) ledger.append(fund({ id: `fund:${study}`, studyId: study, amount: pool }));
          SITES.forEach((site, i) => {
            ledger.append(deposit({ id: `dep:${site}`, siteId: site, amount: 2n * stakes[i]! }));
            for (const study of ['s0', 's1']) ledger.append(stake({ id: `stake:${study}:${site}`, studyId: study, siteId: site, amount: stakes[i]! }));
          });
          ops.forEach((o, i) => {
            const studyId = `s${o.study}`;
            const siteId = SITES[o.site]!;
            const from = o.kind === 'reward' ? `pool:${studyId}` : `stake:${studyId}:${siteId}`;
            const amount = o.amount < ledger.balance(from) ? o.amount : ledger.balance(from);
            if (amount <= 0n) return;
            const id = `op${i}`;
            ledger.append(
              o.kind === 'reward'
                ? reward({ id, studyId, siteId, round: i, amount })
                : o.kind === 'slash'
                  ? slash({ id, studyId, siteId, round: i, amount, reason: 'property', evidence: [] })
                  : release({ id, studyId, siteId, amount }),
            );
          });
          const entries = ledger.entries;
          fc.pre(ledger.cumulativeRewards('s1').size > 0);

          const statement = signOwnershipStatement(
            buildOwnershipStatement({
              study: { id: 's1', name: 'property' },
              status: 'running',
              rounds: ops.length,
              entries,
              siteNames: new Map(SITES.map((s) => [s, `site ${s}`])),
              reputation: new Map(SITES.map((s) => [s, 1])),
              issuedAt: '2025-01-01T00:00:00.000Z',
            }),
            hub.privateKeyPem,
          );

          expect(statement.shares.map((s) => s.siteId)).toEqual([...SITES]);
          expect(statement.shares.reduce((a, s) => a + BigInt(s.units), 0n)).toBe(PERCENT_UNITS);
          expect(ownershipStatementProblems(statement, { publicKey: hub.publicKey, entries })).toEqual([]);
          const reread = parseOwnershipStatement(JSON.stringify(statement));
          expect(ownershipStatementProblems(reread, { publicKey: hub.publicKey, entries: parseLedgerNdjson(ledgerToNdjson(entries)) })).toEqual([]);
          // Moving a single unit between two sites is always caught.
          const moved = edited(statement, (s) => {
            const from = s.shares.find((x) => x.units !== '0')!;
            const to = s.shares.find((x) => x !== from)!;
            from.units = String(BigInt(from.units) - 1n);
            to.units = String(BigInt(to.units) + 1n);
          });
          expect(ownershipStatementProblems(moved, { publicKey: hub.publicKey }).length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});
