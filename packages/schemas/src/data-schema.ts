import { z } from 'zod';

/**
 * The data schema of a study: which columns a site's CSV has, how each is typed, which is the target.
 * Every site validates its file against it (`consilium-agent doctor`) before anything leaves the site.
 */

const columnName = z
  .string()
  .min(1, 'column name must not be empty')
  .max(128)
  .regex(/^[^\n\r,]+$/, 'column name must not contain commas or line breaks');

/** What to do with a row that has a missing value in this column. */
export const MissingPolicy = z.enum(['drop_row', 'error']);
export type MissingPolicy = z.infer<typeof MissingPolicy>;

export const NumericColumn = z.strictObject({
  name: columnName,
  type: z.literal('numeric'),
  /**
   * Plausible range [min, max] of the measurement (e.g. age [0, 120]). Values outside it are data
   * errors. The range also bounds the encrypted statistics round, so it is required.
   */
  range: z
    .tuple([z.number(), z.number()])
    .refine(([min, max]) => Number.isFinite(min) && Number.isFinite(max) && min < max, 'range must be [min, max] with min < max'),
  description: z.string().max(500).optional(),
  unit: z.string().max(40).optional(),
  missing: MissingPolicy.optional(),
});
export type NumericColumn = z.infer<typeof NumericColumn>;

export const CategoricalColumn = z.strictObject({
  name: columnName,
  type: z.literal('categorical'),
  /**
   * The allowed values. A file value matches a category when the strings are equal, or when both
   * parse as numbers and are numerically equal ("1.0" matches "1").
   */
  categories: z
    .array(z.string().min(1).max(128))
    .min(2, 'a categorical column needs at least 2 categories')
    .max(256)
    .refine((c) => new Set(c).size === c.length, 'categories must be unique'),
  description: z.string().max(500).optional(),
  missing: MissingPolicy.optional(),
});
export type CategoricalColumn = z.infer<typeof CategoricalColumn>;

/** A column present in the file but not used (e.g. an identifier or a field the study drops). */
export const IgnoredColumn = z.strictObject({
  name: columnName,
  type: z.literal('ignore'),
  description: z.string().max(500).optional(),
});
export type IgnoredColumn = z.infer<typeof IgnoredColumn>;

export const Column = z.discriminatedUnion('type', [NumericColumn, CategoricalColumn, IgnoredColumn]);
export type Column = z.infer<typeof Column>;

export const DataSchema = z
  .strictObject({
    /** true: the first line names the columns (any order); false: columns are in the declared order. */
    header: z.boolean().default(true),
    delimiter: z.string().length(1).default(','),
    /** Cell values that mean "missing" (compared after trimming whitespace). */
    missingValues: z.array(z.string()).default(['', '?', 'NA', 'N/A', 'NaN', 'null']),
    /** Default policy for rows with missing values in used columns. */
    missingPolicy: MissingPolicy.default('drop_row'),
    columns: z.array(Column).min(2, 'a schema needs at least one feature and a target').max(2000),
    target: z.strictObject({
      /** Must name a categorical column. */
      column: columnName,
      /** Categories counted as the positive class (label 1); every other category is label 0. */
      positive: z.array(z.string().min(1)).min(1),
    }),
    /** How categorical features become numbers. */
    categoricalEncoding: z.enum(['one_hot', 'one_hot_drop_first']).default('one_hot'),
  })
  .superRefine((schema, ctx) => {
    const names = new Set<string>();
    schema.columns.forEach((col, i) => {
      if (names.has(col.name)) ctx.addIssue({ code: 'custom', path: ['columns', i, 'name'], message: `duplicate column "${col.name}"` });
      names.add(col.name);
    });
    const targetIndex = schema.columns.findIndex((c) => c.name === schema.target.column);
    const target = schema.columns[targetIndex];
    if (!target) {
      ctx.addIssue({ code: 'custom', path: ['target', 'column'], message: `target "${schema.target.column}" is not a declared column` });
      return;
    }
    if (target.type !== 'categorical') {
      ctx.addIssue({ code: 'custom', path: ['target', 'column'], message: `target "${target.name}" must be a categorical column` });
      return;
    }
    schema.target.positive.forEach((p, i) => {
      if (!target.categories.includes(p))
        ctx.addIssue({ code: 'custom', path: ['target', 'positive', i], message: `"${p}" is not a category of "${target.name}"` });
    });
    if (schema.target.positive.length >= target.categories.length)
      ctx.addIssue({ code: 'custom', path: ['target', 'positive'], message: 'at least one category must be negative' });
    const features = schema.columns.filter((c) => c.type !== 'ignore' && c.name !== schema.target.column);
    if (features.length === 0) ctx.addIssue({ code: 'custom', path: ['columns'], message: 'no feature columns (all are ignored or the target)' });
  });
export type DataSchema = z.infer<typeof DataSchema>;
export type DataSchemaInput = z.input<typeof DataSchema>;

/** The feature columns (neither ignored nor the target), in declared order. */
export function featureColumns(schema: DataSchema): Array<NumericColumn | CategoricalColumn> {
  return schema.columns.filter(
    (c): c is NumericColumn | CategoricalColumn => c.type !== 'ignore' && c.name !== schema.target.column,
  );
}
