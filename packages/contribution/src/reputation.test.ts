import { AppError } from '@consilium/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialReputation, updateReputation } from './reputation.ts';

const perfect = { tasksDue: 2, tasksOnTime: 2, agreement: 1 };

describe('updateReputation', () => {
  it('climbs from the newcomer score toward 1 for a punctual, agreeing site', () => {
    // Arrange
    let r = initialReputation();

    // Act
    const trace = Array.from({ length: 10 }, () => (r = updateReputation(r, perfect)));

    // Assert
    expect(initialReputation()).toBe(0.5);
    expect(trace[0]).toBeCloseTo(0.6, 12);
    expect(trace[9]).toBeCloseTo(1 - 0.5 * 0.8 ** 10, 12);
    expect(trace.every((v, i) => i === 0 || v > trace[i - 1]!)).toBe(true);
  });

  it('costs a missed deadline a fifth of the way to zero, and forgives it over time', () => {
    // Act
    const missed = updateReputation(1, { tasksDue: 2, tasksOnTime: 0 });
    const half = updateReputation(1, { tasksDue: 2, tasksOnTime: 1 });
    const recovered = [1, 2, 3, 4, 5].reduce((r) => updateReputation(r, perfect), missed);

    // Assert
    expect(missed).toBeCloseTo(0.8, 12);
    expect(half).toBeCloseTo(0.9, 12);
    expect(recovered).toBeGreaterThan(0.93);
  });

  it('leaves the score alone when nothing was due and nothing reported (not sampled)', () => {
    expect(updateReputation(0.42, { tasksDue: 0, tasksOnTime: 0 })).toBe(0.42);
  });

  it('cuts deeply on confirmed misconduct', () => {
    expect(updateReputation(0.9, { ...perfect, agreement: 0, misconduct: true })).toBeCloseTo(0.9 * 0.8 * 0.25, 12);
  });

  it('stays within [0, 1] for any history and any options (property)', () => {
    const observation = fc.record({
      tasksDue: fc.integer({ min: 0, max: 3 }),
      onTimeFraction: fc.double({ min: 0, max: 1, noNaN: true }),
      agreement: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
      misconduct: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(observation, { maxLength: 50 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (history, decay, initial) => {
          let r = initialReputation({ initial });
          for (const o of history) {
            const tasksOnTime = Math.floor(o.onTimeFraction * o.tasksDue);
            r = updateReputation(r, { tasksDue: o.tasksDue, tasksOnTime, misconduct: o.misconduct, ...(o.agreement === undefined ? {} : { agreement: o.agreement }) }, { decay });
            expect(r).toBeGreaterThanOrEqual(0);
            expect(r).toBeLessThanOrEqual(1);
          }
        },
      ),
    );
  });

  it('refuses out-of-range inputs', () => {
    expect(() => updateReputation(1.5, perfect)).toThrow(AppError);
    expect(() => updateReputation(0.5, { tasksDue: 1, tasksOnTime: 2 })).toThrow(/tasksOnTime/);
    expect(() => updateReputation(0.5, perfect, { decay: 2 })).toThrow(/decay/);
  });
});
