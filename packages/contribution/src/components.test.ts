import { AppError } from '@consilium/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeContribution,
  creditedSamples,
  dataContribution,
  qualityFromAgreement,
  rarityFactor,
  uptimeBonus,
  validationService,
} from './components.ts';
import type { SiteDeclaration, StudyLimits } from './components.ts';

const limits: StudyLimits = { maxEpochs: 3, operationsPerSample: 100, maxValidationSamples: 400 };
const declaration: SiteDeclaration = { datasetSize: 1000, heldOutSize: 300 };

describe('compute and data contributions', () => {
  it('credit what an honest site did: samples × epochs × operations per sample', () => {
    // Act
    const compute = computeContribution({ samples: 800, epochs: 3 }, declaration, limits);

    // Assert
    expect(compute.value).toBe(800 * 3 * 100);
    expect(compute.samples.capped).toBe(false);
    expect(dataContribution({ samples: 800, epochs: 3 }, declaration, limits)).toBe(800);
  });

  it('cap inflated claims at the declared dataset size and the study epochs, and say so', () => {
    // Act
    const compute = computeContribution({ samples: 8000, epochs: 10 }, declaration, limits);

    // Assert
    expect(compute.value).toBe(1000 * 3 * 100);
    expect(compute.samples).toEqual({ value: 1000, claimed: 8000, limit: 1000, capped: true });
    expect(compute.epochs.capped).toBe(true);
    expect(dataContribution({ samples: 8000, epochs: 1 }, declaration, limits)).toBe(1000);
  });

  it("apply the study's per-site cap on top of the declaration", () => {
    expect(creditedSamples({ samples: 5000, epochs: 1 }, { datasetSize: 5000, heldOutSize: 0 }, { ...limits, maxSamplesPerSite: 2000 }).value).toBe(2000);
  });

  it('never exceed what an honest site of the declared size could earn (property)', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.nat(50), (samples, epochs) => {
        const c = computeContribution({ samples, epochs }, declaration, limits);
        expect(c.value).toBeLessThanOrEqual(declaration.datasetSize * limits.maxEpochs * limits.operationsPerSample);
        expect(c.value).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('refuse negative or non-finite claims', () => {
    expect(() => computeContribution({ samples: -1, epochs: 1 }, declaration, limits)).toThrow(AppError);
    expect(() => dataContribution({ samples: NaN, epochs: 1 }, declaration, limits)).toThrow(/finite/);
  });
});

describe('rarityFactor', () => {
  it('gives 1 to a site shaped like the consortium, more to one rich in the rare label', () => {
    // Arrange: consortium 90% / 10%.
    const aggregate = [9000, 1000];

    // Act
    const typical = rarityFactor(aggregate, [900, 100]);
    const rare = rarityFactor(aggregate, [300, 300]);
    const common = rarityFactor(aggregate, [500, 0]);

    // Assert
    expect(typical).toBeCloseTo(1, 12);
    expect(rare).toBeGreaterThan(1.3);
    expect(common).toBeLessThan(1);
  });

  it('moves reward between sites without creating any: the sample-weighted mean is exactly 1 (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(500), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 8 }), (sites) => {
        // Arrange: the aggregate is the sum of every site's counts, as the encrypted sum would be.
        const aggregate = [0, 1, 2].map((k) => sites.reduce((a, s) => a + s[k]!, 0));
        const total = aggregate.reduce((a, v) => a + v, 0);
        fc.pre(total > 0);

        // Act
        const weighted = sites.reduce((a, s) => a + s.reduce((x, v) => x + v, 0) * rarityFactor(aggregate, s, { maxRarity: 1e9 }), 0);

        // Assert
        expect(weighted / total).toBeCloseTo(1, 9);
      }),
    );
  });

  it('is clipped at maxRarity and neutral for a site without data', () => {
    expect(rarityFactor([9999, 1], [0, 1])).toBe(4);
    expect(rarityFactor([9999, 1], [0, 1], { exponent: 1, maxRarity: 1e9 })).toBeCloseTo(5000, 6);
    expect(rarityFactor([10, 10], [0, 0])).toBe(1);
    expect(rarityFactor([9000, 1000], [0, 100], { exponent: 0 })).toBe(1);
  });

  it('refuses counts that cannot be inside the aggregate', () => {
    expect(() => rarityFactor([10, 5], [3, 6])).toThrow(/exceeds the consortium/);
    expect(() => rarityFactor([10, 5], [3])).toThrow(/same, non-zero length/);
    expect(() => rarityFactor([10, 5], [3, 1], { exponent: 3 })).toThrow(/exponent/);
  });
});

describe('qualityFromAgreement', () => {
  it('gives full credit to typical reports, none from the anomaly threshold on, and a ramp between', () => {
    expect(qualityFromAgreement(0)).toBe(1);
    expect(qualityFromAgreement(-2.5)).toBe(1);
    expect(qualityFromAgreement(3)).toBeCloseTo(0.5, 12);
    expect(qualityFromAgreement(3.5)).toBe(0);
    expect(qualityFromAgreement(Infinity)).toBe(0);
    expect(qualityFromAgreement(NaN)).toBe(0);
    expect(() => qualityFromAgreement(1, { fullCredit: 3, zeroCredit: 2 })).toThrow(AppError);
  });
});

describe('validationService and uptimeBonus', () => {
  it('credit accepted, on-time reports up to the declared and study caps, nothing else', () => {
    expect(validationService({ onTime: true, accepted: true, evaluatedSamples: 250 }, declaration, limits)).toBe(250);
    expect(validationService({ onTime: true, accepted: true, evaluatedSamples: 5000 }, declaration, limits)).toBe(300);
    expect(validationService({ onTime: true, accepted: true, evaluatedSamples: 5000 }, { datasetSize: 1, heldOutSize: 9000 }, limits)).toBe(400);
    expect(validationService({ onTime: false, accepted: true, evaluatedSamples: 250 }, declaration, limits)).toBe(0);
    expect(validationService({ onTime: true, accepted: false, evaluatedSamples: 250 }, declaration, limits)).toBe(0);
  });

  it('measure uptime as the on-time share of recent tasks, forgetting old lapses', () => {
    // Arrange: four early misses, then ten on time.
    const history = [false, false, false, false, ...Array<boolean>(10).fill(true)];

    // Act / Assert
    expect(uptimeBonus(history)).toBeCloseTo(10 / 14, 12);
    expect(uptimeBonus(history, { window: 10 })).toBe(1);
    expect(uptimeBonus([])).toBe(1);
    expect(() => uptimeBonus([true], { window: 0 })).toThrow(AppError);
  });
});
