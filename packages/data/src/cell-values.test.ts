import { describe, expect, it } from 'vitest';
import { createCategoryMatcher, createMissingTest, parseNumber } from './cell-values.ts';

describe('parseNumber', () => {
  it.each([
    ['42', 42],
    ['-1.5', -1.5],
    ['+3', 3],
    ['.7', 0.7],
    ['5.', 5],
    ['1e3', 1000],
    ['2.5E-2', 0.025],
  ])('reads %s', (cell, value) => expect(parseNumber(cell)).toBe(value));

  it.each(['', 'abc', '0x1F', 'Infinity', 'NaN', '1,5', '12 mg', '1.2.3', '-', '.'])('rejects %j', (cell) => expect(parseNumber(cell)).toBeNull());
});

describe('createMissingTest', () => {
  it('matches the schema tokens, compared trimmed', () => {
    const isMissing = createMissingTest(['', ' NA ', '?']);
    expect(['', 'NA', '?'].map(isMissing)).toEqual([true, true, true]);
    expect(['na', '0', 'N/A'].map(isMissing)).toEqual([false, false, false]);
  });
});

describe('createCategoryMatcher', () => {
  it('matches equal strings', () => {
    const match = createCategoryMatcher(['never', 'former', 'current']);
    expect(match('former')).toBe(1);
    expect(match('Former')).toBe(-1);
  });

  it('matches numerically equal numbers ("1.0" matches "1")', () => {
    const match = createCategoryMatcher(['0', '1', '2']);
    expect(match('1.0')).toBe(1);
    expect(match('2.00')).toBe(2);
    expect(match('-0')).toBe(0);
    expect(match('3')).toBe(-1);
    expect(match('1.5')).toBe(-1);
  });

  it('prefers an exact string match over a numeric one', () => {
    const match = createCategoryMatcher(['1', '1.0']);
    expect(match('1.0')).toBe(1);
    expect(match('1.00')).toBe(0);
  });
});
