import { AppError, ErrorCode } from '@consilium/errors';
import { selectRows } from './local-dataset.ts';
import type { LocalDataset } from './local-dataset.ts';
import { assertSeed, createRng, shuffleInPlace } from '@consilium/random';

/** A site's rows split for local training and evaluation. */
export interface TrainTestSplit {
  train: LocalDataset;
  test: LocalDataset;
}

/** The split settings of the study's TrainingConfig. */
export interface SplitOptions {
  /** Fraction of each class held out for testing, in [0, 1). */
  testFraction: number;
  /** Same seed, same split. */
  seed: number;
}

/**
 * How many of a class's rows go to the test set: the fraction, rounded, but at least one row on
 * each side when the class has two or more rows (so both sides see every class the site has).
 * A class of one row stays in training. The data check uses this too, to warn ahead of time.
 */
export function testRowsForClass(classSize: number, testFraction: number): number {
  if (testFraction <= 0 || classSize < 2) return 0;
  return Math.min(classSize - 1, Math.max(1, Math.round(classSize * testFraction)));
}

/**
 * Stratified train/test split: each class (label 0 and 1) is shuffled with a seeded generator and
 * `testRowsForClass` of its rows are held out, as in a per-hospital 66/34 stratified split.
 * Deterministic for a seed; both sides keep the file's row order.
 */
export function splitTrainTest(dataset: LocalDataset, options: SplitOptions): TrainTestSplit {
  const { testFraction, seed } = options;
  if (!(testFraction >= 0 && testFraction < 1))
    throw new AppError(ErrorCode.INVALID_INPUT, `testFraction must be in [0, 1), got ${testFraction}`);
  assertSeed(seed);
  const random = createRng(seed);
  const isTest = new Uint8Array(dataset.rowCount);
  for (const label of [0, 1]) {
    const rows: number[] = [];
    dataset.labels.forEach((l, i) => {
      if (l === label) rows.push(i);
    });
    shuffleInPlace(rows, random);
    for (const row of rows.slice(0, testRowsForClass(rows.length, testFraction))) isTest[row] = 1;
  }
  const train: number[] = [];
  const test: number[] = [];
  isTest.forEach((flag, i) => (flag === 1 ? test : train).push(i));
  return { train: selectRows(dataset, train), test: selectRows(dataset, test) };
}
