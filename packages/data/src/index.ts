/**
 * @consilium/data: a site's local data. Reading and validating its CSV against the study's data
 * schema (the agent's `doctor`), loading it in typed form, the stratified train/test split, the
 * federated statistics round's local and global halves, and feature encoding for the model.
 */
export { inspectDataset, DEFAULT_MAX_ISSUES } from './inspect-dataset.ts';
export type { InspectOptions } from './inspect-dataset.ts';
export { formatDoctorReport } from './format-doctor-report.ts';
export type { DoctorReport, ColumnSummary, NumericColumnSummary, CategoricalColumnSummary, DropReason } from './doctor-report.ts';
export { describeIssue } from './data-issues.ts';
export type { DataIssue, IssueKind, IssueSeverity, IssueTally } from './data-issues.ts';
export { loadDataset } from './load-dataset.ts';
export { selectRows, concatDatasets } from './local-dataset.ts';
export type { LocalDataset, FeatureValues, NumericFeatureValues, CategoricalFeatureValues } from './local-dataset.ts';
export { splitTrainTest, testRowsForClass } from './train-test-split.ts';
export type { SplitOptions, TrainTestSplit } from './train-test-split.ts';
export { statisticsLayout, localStatistics, globalStatistics } from './federated-statistics.ts';
export type { StatisticsLayout, NumericStatisticsSlot, GlobalStatistics, FeatureMoments } from './federated-statistics.ts';
export { featureNames, featureDimension, encodeFeatures } from './feature-encoding.ts';
export type { EncodedFeatures } from './feature-encoding.ts';
