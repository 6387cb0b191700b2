import type { InputHTMLAttributes } from 'react';
import styles from './Form.module.css';

/**
 * A labelled input with its hint and its error message, wired for assistive technology
 * (`aria-invalid`, `aria-describedby`).
 */
export function FormField({
  id,
  label,
  error,
  hint,
  prefix,
  ...input
}: {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string;
  prefix?: string;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'prefix'>) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={styles.field}>
      <label htmlFor={id} className={styles.label}>
        {label}
      </label>
      {hint ? (
        <p id={hintId} className={styles.hint}>
          {hint}
        </p>
      ) : null}
      <div className={`${styles.control} ${error ? styles.controlInvalid : ''}`}>
        {prefix ? (
          <span className={styles.prefix} aria-hidden="true">
            {prefix}
          </span>
        ) : null}
        <input id={id} name={id} className={styles.input} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      </div>
      {error ? (
        <p id={errorId} className={styles.error} data-testid={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
