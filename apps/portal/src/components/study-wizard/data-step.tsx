'use client';
/**
 * The wizard's data step: a sample CSV (or its header line) read in this browser, the proposed
 * columns as an editable table, and the label column with its positive class.
 */
import { useState } from 'react';
import { Button, Checkbox, CheckboxGroup, DropZone, FileTrigger, isFileDropItem, Label, Text } from 'react-aria-components';
import type { DropZoneProps } from 'react-aria-components';
import {
  distinctValues,
  inferColumns,
  readCsvSample,
  retypeColumn,
  splitCategories,
  suggestPositive,
  suggestTarget,
  type DraftColumn,
  type DraftColumnType,
} from '../../lib/csv-schema.ts';
import { formatInteger } from '../../lib/format.ts';
import type { StudyDraft } from '../../lib/study-spec.ts';
import { TableRegion } from '../table-region.tsx';
import { SelectInput, TextInput } from '../ui/fields.tsx';
import type { StepProps } from './study-wizard.tsx';

/** Only the beginning of a large file is read: enough rows to propose types, ranges and categories. */
const MAX_READ_BYTES = 5 * 1024 * 1024;

type DropEvent = Parameters<NonNullable<DropZoneProps['onDrop']>>[0];

const TYPE_OPTIONS = [
  { id: 'numeric', label: 'Number' },
  { id: 'categorical', label: 'Categories' },
  { id: 'ignore', label: 'Excluded' },
] as const satisfies ReadonlyArray<{ id: DraftColumnType; label: string }>;

/** The draft with columns proposed from a sample's text; an error sentence when it cannot be read. */
function fromText(draft: StudyDraft, text: string, label: string): { draft: StudyDraft } | { error: string } {
  const read = readCsvSample(text);
  if (!read.ok) return { error: read.error };
  const { sample } = read;
  const columns = inferColumns(sample);
  const target = suggestTarget(columns) ?? '';
  const targetColumn = columns.find((c) => c.name === target);
  const positive = targetColumn ? suggestPositive(splitCategories(targetColumn.categories)) : null;
  return {
    draft: {
      ...draft,
      data: {
        ...draft.data,
        delimiter: sample.delimiter,
        columns,
        target,
        positive: positive ? [positive] : [],
        source: { label, rows: sample.rows.length, truncated: sample.truncated, distinct: distinctValues(sample) },
      },
    },
  };
}

export function DataStep({ draft, update, errors }: StepProps) {
  const [readError, setReadError] = useState<string | null>(null);
  const [headerLine, setHeaderLine] = useState('');
  const [reading, setReading] = useState(false);

  const load = (text: string, label: string) => {
    const result = fromText(draft, text, label);
    if ('error' in result) {
      setReadError(result.error);
      return;
    }
    setReadError(null);
    update(() => result.draft);
  };

  const readFile = async (file: File) => {
    setReading(true);
    try {
      const text = await file.slice(0, MAX_READ_BYTES).text();
      load(text, file.name);
    } catch {
      setReadError('The file could not be read. Choose a CSV file (plain text, one row per line).');
    } finally {
      setReading(false);
    }
  };

  const onDrop = async (event: DropEvent) => {
    const item = event.items.find(isFileDropItem);
    if (item) await readFile(await item.getFile());
    else setReadError('Drop a CSV file here (not text or a link).');
  };

  const source = draft.data.source;
  const columns = draft.data.columns;
  const setColumn = (index: number, change: (column: DraftColumn) => DraftColumn) =>
    update((d) => ({ ...d, data: { ...d.data, columns: d.data.columns.map((c, i) => (i === index ? change(c) : c)) } }));

  const categorical = columns.filter((c) => c.type === 'categorical' && c.name.trim() !== '');
  const targetColumn = columns.find((c) => c.name === draft.data.target);
  const targetCategories = targetColumn?.type === 'categorical' ? splitCategories(targetColumn.categories) : [];

  return (
    <>
      <div className="notice notice--info" role="note">
        <p>
          <strong>Your file stays on this computer.</strong> The portal reads it here, in your browser, to propose the columns; it never uploads the file or any
          patient row. Only the column descriptions you confirm become part of the study.
        </p>
      </div>
      <section aria-labelledby="sample-heading" className="wizard__section">
        <h3 id="sample-heading">Sample of the data</h3>
        <p className="muted">Use a CSV file with the columns every site will have, ideally with some rows (made-up rows are fine). The first line must name the columns.</p>
        <DropZone
          className="dropzone"
          aria-label="Drop a sample CSV file here"
          getDropOperation={() => 'copy'}
          onDrop={(e) => void onDrop(e)}
        >
          <Text slot="label" className="dropzone__text">
            Drop a sample CSV file here, or
          </Text>
          <FileTrigger acceptedFileTypes={['.csv', 'text/csv', 'text/plain', '.txt', '.tsv']} onSelect={(files) => files?.[0] && void readFile(files[0])}>
            <Button className="button">Choose a CSV file</Button>
          </FileTrigger>
        </DropZone>
        <div className="inline-form">
          <TextInput
            label="Or paste the header line"
            description="The first line of the file, e.g. patient_id,age,sex,cholesterol,outcome"
            value={headerLine}
            onChange={setHeaderLine}
            className="inline-form__grow"
          />
          <Button className="button button--quiet" onPress={() => load(headerLine, 'the pasted header line')} isDisabled={headerLine.trim() === ''}>
            Use this header line
          </Button>
        </div>
        {reading ? (
          <p role="status" className="muted">
            Reading the file…
          </p>
        ) : null}
        {readError ? (
          <div className="notice notice--error" role="alert">
            <p>{readError}</p>
          </div>
        ) : null}
        {source ? (
          <p role="status" className="muted" data-testid="sample-summary">
            Columns proposed from {source.label}: {formatInteger(columns.length)} columns, {formatInteger(source.rows)} rows read
            {source.truncated ? ' (only the first rows of a large file)' : ''}. Check every column below.
          </p>
        ) : null}
      </section>
      {errors.fields['data.columns'] ? (
        <p className="field__error" role="alert">
          Columns: {errors.fields['data.columns']}
        </p>
      ) : null}
      {columns.length > 0 ? (
        <>
          <section aria-labelledby="columns-heading" className="wizard__section">
            <h3 id="columns-heading">Columns</h3>
            <p className="muted">
              Numbers need a plausible range (values outside it are treated as data errors at the sites). Categories list every allowed value, separated by
              commas. Excluded columns (identifiers, free text) are never used for training.
            </p>
            <TableRegion labelledBy="columns-caption">
              <table className="table table--form">
                <caption id="columns-caption" className="visually-hidden">
                  Columns of the data
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Column</th>
                    <th scope="col">Type</th>
                    <th scope="col">Range or categories</th>
                    <th scope="col">Unit</th>
                  </tr>
                </thead>
                <tbody>
                  {columns.map((column, index) => (
                    <ColumnRow
                      key={`${index}-${column.name}`}
                      column={column}
                      index={index}
                      isTarget={column.name === draft.data.target}
                      errors={errors.fields}
                      onChange={(change) => setColumn(index, change)}
                      cells={source?.distinct[index] ?? []}
                    />
                  ))}
                </tbody>
              </table>
            </TableRegion>
          </section>
          <section aria-labelledby="label-heading" className="wizard__section">
            <h3 id="label-heading">What the model predicts</h3>
            <div className="form-grid form-grid--two">
              <SelectInput
                label="Label column"
                description="The outcome the model learns to predict. It must be a column of categories, e.g. a yes/no diagnosis."
                value={draft.data.target || null}
                options={categorical.map((c) => ({ id: c.name, label: c.name }))}
                onChange={(target) =>
                  update((d) => {
                    const column = d.data.columns.find((c) => c.name === target);
                    const positive = column ? suggestPositive(splitCategories(column.categories)) : null;
                    return { ...d, data: { ...d.data, target, positive: positive ? [positive] : [] } };
                  })
                }
                error={errors.fields['data.target.column'] && !draft.data.target ? 'Choose the label column.' : errors.fields['data.target.column']}
                placeholder={categorical.length === 0 ? 'No column of categories yet' : 'Choose the label column'}
                isRequired
              />
              {targetCategories.length > 0 ? (
                <CheckboxGroup
                  className={`field checkbox-group${errors.fields['data.target.positive'] ? ' field--invalid' : ''}`}
                  value={draft.data.positive}
                  onChange={(positive) => update((d) => ({ ...d, data: { ...d.data, positive } }))}
                  isInvalid={Boolean(errors.fields['data.target.positive'])}
                  validationBehavior="aria"
                >
                  <Label>Positive outcome</Label>
                  <Text slot="description" className="field__hint">
                    The value(s) of {draft.data.target} that mean “yes” (e.g. the disease is present). Every other value means “no”.
                  </Text>
                  {targetCategories.map((category) => (
                    <Checkbox key={category} value={category} className="checkbox">
                      <span className="checkbox__box" aria-hidden="true" />
                      {category}
                    </Checkbox>
                  ))}
                  {errors.fields['data.target.positive'] ? <p className="field__error">{errors.fields['data.target.positive']}</p> : null}
                </CheckboxGroup>
              ) : null}
            </div>
          </section>
        </>
      ) : (
        <p className="empty">No columns yet: choose a sample file or paste its header line.</p>
      )}
    </>
  );
}

function ColumnRow({
  column,
  index,
  isTarget,
  errors,
  onChange,
  cells,
}: {
  column: DraftColumn;
  index: number;
  isTarget: boolean;
  errors: Record<string, string>;
  onChange: (change: (column: DraftColumn) => DraftColumn) => void;
  cells: string[];
}) {
  const key = (field: string) => `data.columns[${index}].${field}`;
  const name = column.name || `Column ${index + 1}`;
  const nameError = errors[key('name')];
  const rangeError = errors[key('range')];
  const rangeErrorId = `column-${index}-range-error`;
  return (
    <tr data-column={column.name}>
      <th scope="row">
        <span className="column-name">{name}</span>
        {isTarget ? <span className="badge badge--info">Label</span> : null}
        {column.note ? <span className="sub">{column.note}</span> : null}
        {nameError ? <span className="field__error">{nameError}</span> : null}
      </th>
      <td>
        <SelectInput
          label={`Type of ${name}`}
          hideLabel
          value={column.type}
          options={TYPE_OPTIONS}
          onChange={(type) => onChange((c) => retypeColumn(c, type, cells))}
          error={errors[key('type')]}
        />
      </td>
      <td>
        {column.type === 'numeric' ? (
          <div className="range-inputs">
            <TextInput
              label={`Lowest plausible ${name}`}
              hideLabel
              value={column.min}
              onChange={(min) => onChange((c) => ({ ...c, min, note: '' }))}
              isInvalid={Boolean(rangeError)}
              describedBy={rangeError ? rangeErrorId : undefined}
            />
            <span aria-hidden="true">to</span>
            <TextInput
              label={`Highest plausible ${name}`}
              hideLabel
              value={column.max}
              onChange={(max) => onChange((c) => ({ ...c, max, note: '' }))}
              isInvalid={Boolean(rangeError)}
              describedBy={rangeError ? rangeErrorId : undefined}
            />
            {rangeError ? (
              <p id={rangeErrorId} className="field__error range-inputs__error">
                {rangeError}
              </p>
            ) : null}
          </div>
        ) : column.type === 'categorical' ? (
          <TextInput
            label={`Categories of ${name}`}
            hideLabel
            value={column.categories}
            onChange={(categories) => onChange((c) => ({ ...c, categories, note: '' }))}
            error={errors[key('categories')]}
          />
        ) : (
          <span className="muted">Not used</span>
        )}
      </td>
      <td>
        {column.type === 'numeric' ? (
          <TextInput label={`Unit of ${name}`} hideLabel value={column.unit} onChange={(unit) => onChange((c) => ({ ...c, unit }))} error={errors[key('unit')]} className="field--narrow" />
        ) : null}
      </td>
    </tr>
  );
}
