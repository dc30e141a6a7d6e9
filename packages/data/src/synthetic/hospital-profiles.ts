/**
 * The synthetic hospitals. Each draws patients from its own population (age, sex, BMI, smoking,
 * how often diabetes occurs) and case mix (chest-pain types seen), so the sites differ the way real
 * consortium members do: covariate shift and different event rates from one shared outcome model.
 */
export interface HospitalProfile {
  slug: string;
  name: string;
  description: string;
  /** Prefix of the pseudonymous record numbers. */
  recordPrefix: string;
  rows: number;
  ageMean: number;
  ageSd: number;
  maleFraction: number;
  bmiMean: number;
  /** Log-odds added to the diabetes model: local prevalence beyond what age and BMI explain. */
  diabetesOffset: number;
  /** Probabilities of never, former, current. */
  smoking: readonly [number, number, number];
  /** Probabilities of non_anginal, atypical_angina, typical_angina, asymptomatic (the schema's order). */
  chestPain: readonly [number, number, number, number];
  /** Fraction of rows whose value is missing (not measured), per column. */
  missing: Readonly<Partial<Record<'ldl_cholesterol' | 'hba1c', number>>>;
  /** How this hospital's export writes a missing value. */
  missingToken: string;
}

/** In demo order; the demo uses the first four. */
export const HOSPITAL_PROFILES: readonly HospitalProfile[] = [
  {
    slug: 'northgate',
    name: 'Northgate University Hospital',
    description: 'Tertiary cardiac centre receiving referrals: older patients, much typical angina, the highest event rate.',
    recordPrefix: 'NGU',
    rows: 640,
    ageMean: 66,
    ageSd: 10,
    maleFraction: 0.66,
    bmiMean: 28,
    diabetesOffset: 0.2,
    smoking: [0.38, 0.4, 0.22],
    chestPain: [0.16, 0.26, 0.36, 0.22],
    missing: { ldl_cholesterol: 0.03 },
    missingToken: '',
  },
  {
    slug: 'riverside',
    name: 'Riverside General Hospital',
    description: 'Urban general hospital with a chest-pain unit: a broad mix of presentations.',
    recordPrefix: 'RGH',
    rows: 470,
    ageMean: 60,
    ageSd: 12,
    maleFraction: 0.55,
    bmiMean: 27.5,
    diabetesOffset: 0,
    smoking: [0.46, 0.3, 0.24],
    chestPain: [0.32, 0.3, 0.2, 0.18],
    missing: { hba1c: 0.04 },
    missingToken: 'NA',
  },
  {
    slug: 'highmoor',
    name: 'Highmoor District Hospital',
    description: 'Rural district hospital: older, heavier, more smokers and more diabetes.',
    recordPrefix: 'HDH',
    rows: 320,
    ageMean: 64,
    ageSd: 11,
    maleFraction: 0.58,
    bmiMean: 30,
    diabetesOffset: 0.3,
    smoking: [0.42, 0.32, 0.26],
    chestPain: [0.32, 0.3, 0.18, 0.2],
    missing: { ldl_cholesterol: 0.05, hba1c: 0.02 },
    missingToken: 'NA',
  },
  {
    slug: 'lakeside',
    name: 'Lakeside Preventive Cardiology Clinic',
    description: 'Outpatient prevention clinic: younger, healthier patients, few with typical angina, the lowest event rate.',
    recordPrefix: 'LPC',
    rows: 210,
    ageMean: 56,
    ageSd: 10,
    maleFraction: 0.48,
    bmiMean: 26.5,
    diabetesOffset: -0.3,
    smoking: [0.58, 0.28, 0.14],
    chestPain: [0.44, 0.3, 0.1, 0.16],
    missing: {},
    missingToken: '',
  },
  {
    slug: 'eastbridge',
    name: 'Eastbridge Community Hospital',
    description: 'Community hospital in a deprived area: middle-aged patients, many smokers.',
    recordPrefix: 'ECH',
    rows: 380,
    ageMean: 58,
    ageSd: 11,
    maleFraction: 0.52,
    bmiMean: 29.5,
    diabetesOffset: 0.3,
    smoking: [0.34, 0.26, 0.4],
    chestPain: [0.34, 0.3, 0.16, 0.2],
    missing: { ldl_cholesterol: 0.04 },
    missingToken: 'N/A',
  },
  {
    slug: 'st-aurelia',
    name: 'St. Aurelia Heart Institute',
    description: 'Private heart institute: elderly patients referred for invasive work-up.',
    recordPrefix: 'SAH',
    rows: 540,
    ageMean: 68,
    ageSd: 9,
    maleFraction: 0.62,
    bmiMean: 27,
    diabetesOffset: 0.1,
    smoking: [0.44, 0.42, 0.14],
    chestPain: [0.16, 0.28, 0.34, 0.22],
    missing: { hba1c: 0.03 },
    missingToken: '',
  },
];
