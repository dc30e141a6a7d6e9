'use client';
/**
 * The portal's form fields, built on react-aria-components (labels, descriptions and errors tied to
 * the input; keyboard behaviour of selects, radios and switches), styled with globals.css.
 * An error passed in marks the field invalid and is shown under it.
 */
import type { Key, ReactNode } from 'react';
import {
  Button,
  FieldError,
  Input,
  Label,
  ListBox,
  ListBoxItem,
  NumberField,
  Popover,
  Radio,
  RadioGroup,
  Select,
  SelectValue,
  Switch,
  Text,
  TextArea,
  TextField,
} from 'react-aria-components';

interface CommonProps {
  label: string;
  description?: ReactNode;
  error?: string | undefined;
  isRequired?: boolean;
  isDisabled?: boolean;
  className?: string;
  /** Keep the label for screen readers only (inside a table whose column header says it). */
  hideLabel?: boolean;
  /** Marks the field invalid when its error is shown elsewhere (e.g. one message for a range's two bounds). */
  isInvalid?: boolean;
  /** The id of that message. */
  describedBy?: string | undefined;
}

const fieldClass = (error: string | undefined, className: string | undefined) => ['field', error ? 'field--invalid' : '', className ?? ''].filter(Boolean).join(' ');

export function TextInput({
  label,
  description,
  error,
  value,
  onChange,
  name,
  isRequired,
  isDisabled,
  multiline = false,
  autoFocus,
  maxLength,
  className,
  hideLabel,
  isInvalid,
  describedBy,
}: CommonProps & { value: string; onChange: (value: string) => void; name?: string; multiline?: boolean; autoFocus?: boolean; maxLength?: number }) {
  return (
    <TextField
      aria-describedby={describedBy}
      className={fieldClass(error ?? (isInvalid ? ' ' : undefined), className)}
      value={value}
      onChange={onChange}
      name={name}
      isRequired={isRequired}
      isDisabled={isDisabled}
      isInvalid={Boolean(error) || Boolean(isInvalid)}
      validationBehavior="aria"
      autoFocus={autoFocus}
      maxLength={maxLength}
    >
      <Label className={hideLabel ? 'visually-hidden' : 'field__label'}>{label}</Label>
      {description ? (
        <Text slot="description" className="field__hint">
          {description}
        </Text>
      ) : null}
      {multiline ? <TextArea className="field__control" rows={4} /> : <Input className="field__control" />}
      <FieldError className="field__error">{error}</FieldError>
    </TextField>
  );
}

export function NumberInput({
  label,
  description,
  error,
  value,
  onChange,
  minValue,
  maxValue,
  step,
  isRequired,
  isDisabled,
  formatOptions,
  className,
  hideLabel,
}: CommonProps & {
  value: number;
  onChange: (value: number) => void;
  minValue?: number;
  maxValue?: number;
  step?: number;
  formatOptions?: Intl.NumberFormatOptions;
}) {
  return (
    <NumberField
      className={fieldClass(error, className)}
      value={value}
      onChange={onChange}
      minValue={minValue}
      maxValue={maxValue}
      step={step}
      isRequired={isRequired}
      isDisabled={isDisabled}
      isInvalid={Boolean(error)}
      validationBehavior="aria"
      formatOptions={formatOptions ?? { useGrouping: false, maximumFractionDigits: 10 }}
    >
      <Label className={hideLabel ? 'visually-hidden' : 'field__label'}>{label}</Label>
      {description ? (
        <Text slot="description" className="field__hint">
          {description}
        </Text>
      ) : null}
      <Input className="field__control field__control--number" />
      <FieldError className="field__error">{error}</FieldError>
    </NumberField>
  );
}

export interface Option<K extends string> {
  id: K;
  label: string;
}

export function SelectInput<K extends string>({
  label,
  description,
  error,
  value,
  onChange,
  options,
  placeholder = 'Choose…',
  isRequired,
  isDisabled,
  className,
  hideLabel,
}: CommonProps & { value: K | null; onChange: (value: K) => void; options: ReadonlyArray<Option<K>>; placeholder?: string }) {
  return (
    <Select
      className={fieldClass(error, className)}
      value={value}
      onChange={(key: Key | null) => {
        if (key !== null) onChange(String(key) as K);
      }}
      placeholder={placeholder}
      isRequired={isRequired}
      isDisabled={isDisabled}
      isInvalid={Boolean(error)}
      validationBehavior="aria"
    >
      <Label className={hideLabel ? 'visually-hidden' : 'field__label'}>{label}</Label>
      {description ? (
        <Text slot="description" className="field__hint">
          {description}
        </Text>
      ) : null}
      <Button className="field__control select__button">
        <SelectValue className="select__value" />
        <span aria-hidden="true" className="select__chevron">
          ▾
        </span>
      </Button>
      <FieldError className="field__error">{error}</FieldError>
      <Popover className="popover">
        <ListBox className="listbox" items={options}>
          {(option) => (
            <ListBoxItem id={option.id} className="listbox__item" textValue={option.label}>
              {option.label}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </Select>
  );
}

export function SwitchInput({
  children,
  description,
  isSelected,
  onChange,
  isDisabled,
}: {
  children: ReactNode;
  description?: ReactNode;
  isSelected: boolean;
  onChange: (selected: boolean) => void;
  isDisabled?: boolean;
}) {
  return (
    <div className="field">
      <Switch className="switch" isSelected={isSelected} onChange={onChange} isDisabled={isDisabled}>
        <span className="switch__track" aria-hidden="true">
          <span className="switch__thumb" />
        </span>
        <span className="switch__label">{children}</span>
      </Switch>
      {description ? <p className="field__hint">{description}</p> : null}
    </div>
  );
}

export function RadioInput<K extends string>({
  label,
  description,
  error,
  value,
  onChange,
  options,
  isDisabled,
  hideLabel,
}: CommonProps & { value: K; onChange: (value: K) => void; options: ReadonlyArray<Option<K> & { description?: ReactNode }> }) {
  return (
    <RadioGroup
      className={fieldClass(error, 'radio-group')}
      value={value}
      onChange={(v) => onChange(v as K)}
      isDisabled={isDisabled}
      isInvalid={Boolean(error)}
      validationBehavior="aria"
    >
      <Label className={hideLabel ? 'visually-hidden' : 'field__label'}>{label}</Label>
      {description ? (
        <Text slot="description" className="field__hint">
          {description}
        </Text>
      ) : null}
      {options.map((option) => (
        <Radio key={option.id} value={option.id} className="radio">
          <span className="radio__mark" aria-hidden="true" />
          <span>
            <span className="radio__label">{option.label}</span>
            {option.description ? <span className="radio__description">{option.description}</span> : null}
          </span>
        </Radio>
      ))}
      <FieldError className="field__error">{error}</FieldError>
    </RadioGroup>
  );
}
