import { standardNormal, type Rng } from '@consilium/random';
import type { HospitalProfile } from './hospital-profiles.ts';

/** One synthetic patient; categorical fields hold the schema's category strings. */
export interface SyntheticPatient {
  age: number;
  sex: 'female' | 'male';
  bmi: number;
  systolicBp: number;
  ldlCholesterol: number;
  hba1c: number;
  egfr: number;
  smoking: 'never' | 'former' | 'current';
  diabetes: 'no' | 'yes';
  chestPain: 'non_anginal' | 'atypical_angina' | 'typical_angina' | 'asymptomatic';
  restingEcg: 'normal' | 'st_t_abnormality' | 'lvh';
  mace: 'no' | 'yes';
}

const SMOKING = ['never', 'former', 'current'] as const;
const CHEST_PAIN = ['non_anginal', 'atypical_angina', 'typical_angina', 'asymptomatic'] as const;

/**
 * The outcome model every hospital shares (log-odds of MACE within a year). Effect sizes follow the
 * direction and rough strength of established risk factors; they are scaled so that the outcome is
 * learnable but noisy, as real outcomes are (a logistic regression reaches about 0.8 accuracy).
 */
export function maceLogOdds(p: Omit<SyntheticPatient, 'mace'>): number {
  return (
    -1.95 +
    0.075 * (p.age - 62) +
    (p.sex === 'male' ? 0.55 : 0) +
    0.03 * (p.systolicBp - 135) +
    0.6 * (p.ldlCholesterol - 3.1) +
    0.3 * (p.hba1c - 5.8) +
    0.035 * (p.bmi - 28) -
    0.018 * (p.egfr - 80) +
    { never: 0, former: 0.4, current: 1.1 }[p.smoking] +
    (p.diabetes === 'yes' ? 0.55 : 0) +
    { non_anginal: 0, atypical_angina: 0.8, typical_angina: 2.0, asymptomatic: 1.0 }[p.chestPain] +
    { normal: 0, st_t_abnormality: 1.1, lvh: 0.7 }[p.restingEcg]
  );
}

/**
 * Draws one patient of a hospital's population: demographics from the profile, measurements that
 * depend on each other as they do clinically (blood pressure rises with age and BMI, HbA1c with
 * diabetes, kidney function falls with age), then the outcome from `maceLogOdds`.
 */
export function drawPatient(profile: HospitalProfile, random: Rng): SyntheticPatient {
  const normal = (mean: number, sd: number, min: number, max: number): number => clamp(mean + sd * standardNormal(random), min, max);
  const chance = (logOdds: number): boolean => random() < sigmoid(logOdds);

  const age = Math.round(normal(profile.ageMean, profile.ageSd, 25, 95));
  const sex = random() < profile.maleFraction ? 'male' : 'female';
  const bmi = round(normal(profile.bmiMean + (sex === 'male' ? 0.5 : 0), 4.5, 16, 55), 1);
  const smoking = pick(SMOKING, profile.smoking, random);
  const diabetic = chance(-2.4 + 0.035 * (age - 60) + 0.16 * (bmi - 28) + profile.diabetesOffset);
  const hba1c = round(diabetic ? normal(7.5, 1.1, 5.7, 14) : normal(5.4, 0.35, 4.2, 6.4), 1);
  const systolicBp = Math.round(normal(128 + 0.45 * (age - 60) + 0.9 * (bmi - 28) + (diabetic ? 4 : 0), 15, 85, 230));
  const ldlCholesterol = round(normal(3.1 + (smoking === 'current' ? 0.2 : 0), 0.9, 1, 7.5), 1);
  const egfr = Math.round(normal(95 - 0.85 * (age - 50) - (diabetic ? 8 : 0), 13, 15, 130));
  const chestPain = pick(CHEST_PAIN, profile.chestPain, random);
  const lvh = chance(-3 + 0.04 * (systolicBp - 130));
  const stt = !lvh && chance(-2.2 + 0.03 * (age - 60) + (chestPain === 'typical_angina' ? 0.6 : 0));
  const patient = {
    age,
    sex,
    bmi,
    systolicBp,
    ldlCholesterol,
    hba1c,
    egfr,
    smoking,
    diabetes: diabetic ? 'yes' : 'no',
    chestPain,
    restingEcg: lvh ? 'lvh' : stt ? 'st_t_abnormality' : 'normal',
  } as const;
  return { ...patient, mace: chance(maceLogOdds(patient)) ? 'yes' : 'no' };
}

function pick<T>(values: readonly T[], probabilities: readonly number[], random: Rng): T {
  let u = random();
  for (let i = 0; i < values.length - 1; i++) {
    u -= probabilities[i] ?? 0;
    if (u < 0) return values[i] as T;
  }
  return values[values.length - 1] as T;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function clamp(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, x));
}

function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}
