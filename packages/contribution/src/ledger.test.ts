import { AppError, ErrorCode } from '@consilium/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accounts, deposit, EXTERNAL, fund, Ledger, parseAccount, release, replay, reward, slash, stake } from './ledger.ts';
import type { LedgerEntry } from './ledger.ts';
import { slashAmount } from './misconduct.ts';
import { ownershipFromLedger, ownershipShares, PERCENT_UNITS } from './ownership.ts';

const sum = (values: Iterable<bigint>) => [...values].reduce((a, v) => a + v, 0n);

function joined(): Ledger {
  const ledger = new Ledger();
  ledger.append(fund({ id: 'f', studyId: 'st', amount: 1_000n }));
  ledger.append(deposit({ id: 'd', siteId: 'a', amount: 300n }));
  ledger.append(stake({ id: 's', studyId: 'st', siteId: 'a', amount: 200n }));
  return ledger;
}

describe('Ledger', () => {
  it('moves credits with balanced entries: stake, reward, slash, release', () => {
    // Arrange
    const ledger = joined();

    // Act
    ledger.append(reward({ id: 'r1', studyId: 'st', siteId: 'a', round: 1, amount: 40n }));
    ledger.append(slash({ id: 'x1', studyId: 'st', siteId: 'a', round: 1, amount: 50n, reason: 'replayed ciphertext', evidence: [] }));
    ledger.append(release({ id: 'rel', studyId: 'st', siteId: 'a', amount: 150n }));

    // Assert
    expect(ledger.balance(EXTERNAL)).toBe(-1_300n);
    expect(ledger.balance(accounts.pool('st'))).toBe(960n);
    expect(ledger.balance(accounts.wallet('a'))).toBe(250n);
    expect(ledger.balance(accounts.stake('st', 'a'))).toBe(0n);
    expect(ledger.balance(accounts.slashed('st'))).toBe(50n);
    expect(ledger.balance(accounts.rewards('st', 'a'))).toBe(40n);
    expect(sum(ledger.state().balances.values())).toBe(0n);
    expect(ledger.cumulativeRewards('st')).toEqual(new Map([['a', 40n]]));
  });

  it('refuses an unbalanced entry with a domain error and changes nothing', () => {
    // Arrange
    const ledger = joined();
    const before = ledger.state();
    const forged: LedgerEntry = {
      id: 'forged',
      kind: 'reward',
      studyId: 'st',
      siteId: 'a',
      round: 1,
      memo: 'reward out of thin air',
      postings: [
        { account: accounts.pool('st'), amount: -1n },
        { account: accounts.rewards('st', 'a'), amount: 100n },
      ],
    };

    // Act
    const attempt = () => ledger.append(forged);

    // Assert
    expect(attempt).toThrow(AppError);
    expect(attempt).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_INPUT, message: expect.stringMatching(/do not balance/) as string }) as Error);
    expect(ledger.state()).toEqual(before);
    expect(ledger.entries).toHaveLength(3);
  });

  it('refuses overdrafts, duplicate ids and postings a kind may not make', () => {
    // Arrange
    const ledger = joined();

    // Act / Assert: more slashed than staked.
    expect(() => ledger.append(slash({ id: 'x', studyId: 'st', siteId: 'a', round: 1, amount: 201n, reason: 'r', evidence: [] }))).toThrow(
      expect.objectContaining({ code: ErrorCode.CONFLICT, message: expect.stringMatching(/overdraw/) as string }) as Error,
    );
    expect(ledger.balance(accounts.slashed('st'))).toBe(0n);
    // The same id twice (a retried write) is a conflict, not a second reward.
    ledger.append(reward({ id: 'r', studyId: 'st', siteId: 'a', round: 1, amount: 1n }));
    expect(() => ledger.append(reward({ id: 'r', studyId: 'st', siteId: 'a', round: 1, amount: 1n }))).toThrow(expect.objectContaining({ code: ErrorCode.CONFLICT }) as Error);
    // A "reward" may not drain a stake, nor touch another study's accounts.
    const drain: LedgerEntry = { ...reward({ id: 'y', studyId: 'st', siteId: 'a', round: 1, amount: 5n }), postings: [{ account: accounts.stake('st', 'a'), amount: -5n }, { account: accounts.rewards('st', 'a'), amount: 5n }] };
    expect(() => ledger.append(drain)).toThrow(/may not post/);
    const crossStudy: LedgerEntry = { ...reward({ id: 'z', studyId: 'st', siteId: 'a', round: 1, amount: 5n }), postings: [{ account: accounts.pool('other'), amount: -5n }, { account: accounts.rewards('st', 'a'), amount: 5n }] };
    expect(() => ledger.append(crossStudy)).toThrow(/outside study/);
  });

  it('keeps history immutable: stored entries are frozen copies', () => {
    // Arrange
    const ledger = new Ledger();
    const entry = fund({ id: 'f', studyId: 'st', amount: 10n });

    // Act
    const stored = ledger.append(entry);
    (entry.postings as { account: string; amount: bigint }[])[1] = { account: accounts.pool('st'), amount: 1_000_000n };

    // Assert
    expect(ledger.balance(accounts.pool('st'))).toBe(10n);
    expect(Object.isFrozen(stored)).toBe(true);
    expect(Object.isFrozen(stored.postings[0])).toBe(true);
    expect(() => (ledger.entries as LedgerEntry[]).pop()).not.toThrow();
    expect(ledger.entries).toHaveLength(1);
  });

  it('refuses a tampered history on replay', () => {
    // Arrange
    const ledger = joined();
    ledger.append(reward({ id: 'r', studyId: 'st', siteId: 'a', round: 1, amount: 10n }));
    const entries = [...ledger.entries];
    const inflated = { ...entries[3]!, postings: [entries[3]!.postings[0]!, { ...entries[3]!.postings[1]!, amount: 10_000n }] };

    // Act / Assert
    expect(() => replay([...entries.slice(0, 3), inflated])).toThrow(/do not balance/);
    expect(() => replay([entries[2]!, ...entries.slice(0, 2)])).toThrow(/overdraw/);
  });

  it('builds and parses account ids in one format, refusing ambiguous ids', () => {
    expect(parseAccount(accounts.stake('st', 'a'))).toEqual({ type: 'stake', studyId: 'st', siteId: 'a' });
    expect(parseAccount(EXTERNAL)).toEqual({ type: 'external', studyId: null, siteId: null });
    expect(() => accounts.wallet('a:b')).toThrow(AppError);
    expect(() => parseAccount('stake:st')).toThrow(/not a ledger account/);
    expect(() => reward({ id: 'r', studyId: 'st', siteId: 'a', round: 1, amount: 0n })).toThrow(/> 0/);
  });
});

// ——— Property-based: arbitrary sequences of platform operations keep every invariant. ———

const STUDIES = ['s1', 's2'];
const SITES = ['a', 'b', 'c', 'd'];

/** An abstract operation; amounts are fractions of what is available, so most operations are valid. */
const operation = fc.oneof(
  fc.record({ type: fc.constant('deposit' as const), site: fc.nat(3), amount: fc.bigInt({ min: 1n, max: 10n ** 12n }) }),
  fc.record({ type: fc.constant('fund' as const), study: fc.nat(1), amount: fc.bigInt({ min: 1n, max: 10n ** 15n }) }),
  fc.record({ type: fc.constant('stake' as const), study: fc.nat(1), site: fc.nat(3), permille: fc.integer({ min: 1, max: 1000 }) }),
  fc.record({ type: fc.constant('release' as const), study: fc.nat(1), site: fc.nat(3), permille: fc.integer({ min: 1, max: 1000 }) }),
  fc.record({ type: fc.constant('reward' as const), study: fc.nat(1), site: fc.nat(3), permille: fc.integer({ min: 1, max: 1000 }) }),
  fc.record({ type: fc.constant('reward' as const), study: fc.nat(1), site: fc.nat(3), permille: fc.integer({ min: 1, max: 1000 }) }),
  fc.record({ type: fc.constant('slash' as const), study: fc.nat(1), site: fc.nat(3), bps: fc.bigInt({ min: 0n, max: 10_000n }) }),
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

function entryFor(ledger: Ledger, op: Operation, i: number): LedgerEntry | null {
  const id = `e${i}`;
  const part = (balance: bigint, permille: number) => (balance * BigInt(permille)) / 1000n;
  switch (op.type) {
    case 'deposit':
      return deposit({ id, siteId: SITES[op.site]!, amount: op.amount });
    case 'fund':
      return fund({ id, studyId: STUDIES[op.study]!, amount: op.amount });
    case 'stake': {
      const amount = part(ledger.balance(accounts.wallet(SITES[op.site]!)), op.permille);
      return amount > 0n ? stake({ id, studyId: STUDIES[op.study]!, siteId: SITES[op.site]!, amount }) : null;
    }
    case 'release': {
      const amount = part(ledger.balance(accounts.stake(STUDIES[op.study]!, SITES[op.site]!)), op.permille);
      return amount > 0n ? release({ id, studyId: STUDIES[op.study]!, siteId: SITES[op.site]!, amount }) : null;
    }
    case 'reward': {
      const amount = part(ledger.balance(accounts.pool(STUDIES[op.study]!)), op.permille);
      return amount > 0n ? reward({ id, studyId: STUDIES[op.study]!, siteId: SITES[op.site]!, round: i, amount }) : null;
    }
    case 'slash': {
      const amount = slashAmount(ledger.balance(accounts.stake(STUDIES[op.study]!, SITES[op.site]!)), op.bps);
      return amount > 0n ? slash({ id, studyId: STUDIES[op.study]!, siteId: SITES[op.site]!, round: i, amount, reason: 'property test', evidence: [] }) : null;
    }
  }
}

describe('ledger invariants (property)', () => {
  it('balances always sum to zero, shares always sum to 100%, and replaying reproduces every share', () => {
    fc.assert(
      fc.property(fc.array(operation, { minLength: 10, maxLength: 80 }), (operations) => {
        // Arrange: funded studies and sites with credits, so most generated operations can happen.
        const ledger = new Ledger();
        STUDIES.forEach((study) => ledger.append(fund({ id: `fund-${study}`, studyId: study, amount: 10n ** 12n })));
        SITES.forEach((site) => ledger.append(deposit({ id: `deposit-${site}`, siteId: site, amount: 10n ** 9n })));
        const liveShares: { after: number; study: string; shares: ReturnType<typeof ownershipShares> }[] = [];

        operations.forEach((op, i) => {
          const entry = entryFor(ledger, op, i);
          if (entry === null) return;

          // Act
          ledger.append(entry);

          // Assert, after every single append.
          const { balances, cumulativeRewards } = ledger.state();
          expect(sum(balances.values())).toBe(0n);
          for (const [account, balance] of balances) if (account !== EXTERNAL) expect(balance).toBeGreaterThanOrEqual(0n);
          for (const [study, rewards] of cumulativeRewards) {
            const shares = ownershipShares(rewards);
            expect(sum(shares.map((s) => s.units))).toBe(PERCENT_UNITS);
            // Each share is within one unit of its exact value (largest remainder's quota property).
            const total = sum(rewards.values());
            for (const s of shares) {
              const exact = s.reward * PERCENT_UNITS;
              expect(s.units * total <= exact + total && exact <= s.units * total + total).toBe(true);
            }
            liveShares.push({ after: ledger.entries.length, study, shares });
          }
        });

        // Replay from the entries alone reproduces the balances, the rewards and every share ever shown.
        const entries = ledger.entries;
        expect(replay(entries)).toEqual(ledger.state());
        for (const { after, study, shares } of liveShares) expect(ownershipFromLedger(entries.slice(0, after), study)).toEqual(shares);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses every unbalanced entry and stays unchanged (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }).filter((v) => v !== 0n), { minLength: 2, maxLength: 2 }).filter(([x, y]) => x! + y! !== 0n),
        ([x, y]) => {
          const ledger = joined();
          const before = ledger.state();
          const entry: LedgerEntry = { id: 'u', kind: 'fund', studyId: 'st', siteId: null, round: null, memo: '', postings: [{ account: EXTERNAL, amount: x! }, { account: accounts.pool('st'), amount: y! }] };
          expect(() => ledger.append(entry)).toThrow(AppError);
          expect(ledger.state()).toEqual(before);
        },
      ),
    );
  });
});
