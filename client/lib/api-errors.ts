import type { ApiErrorItem } from './types';

/**
 * Reading the API's error bodies (`{"errors":[{"message", "field"?}]}`, SPEC §3) and turning
 * them into what a form shows: a message beside each field it knows, the rest in one alert.
 */

const FALLBACK_BY_STATUS: Record<number, string> = {
  0: 'Could not reach MicroTick. Check your connection and try again.',
  400: 'The request could not be completed.',
  401: 'Please sign in to continue.',
  402: 'Your card was declined.',
  403: 'You are not allowed to do that.',
  404: 'Not found.',
  429: 'Too many requests. Please wait a moment and try again.',
};

/** The message to show when the API gave none (or its answer was not the documented shape). */
export function fallbackMessage(status: number): string {
  const known = FALLBACK_BY_STATUS[status];
  if (known) return known;
  if (status >= 500) return 'Something went wrong on our side. Please try again in a moment.';
  return 'Something went wrong. Please try again.';
}

function isErrorItem(value: unknown): value is ApiErrorItem {
  if (typeof value !== 'object' || value === null) return false;
  const item = value as Record<string, unknown>;
  return (
    typeof item.message === 'string' &&
    item.message.length > 0 &&
    (item.field === undefined || typeof item.field === 'string')
  );
}

/**
 * The error items of a failed response body, whatever it was: the documented shape gives its
 * items; anything else (HTML from a proxy, empty body, bad JSON) gives one fallback item.
 */
export function parseApiErrors(status: number, body: unknown): ApiErrorItem[] {
  if (typeof body === 'object' && body !== null && Array.isArray((body as { errors?: unknown }).errors)) {
    const items = (body as { errors: unknown[] }).errors.filter(isErrorItem).map((item) =>
      item.field === undefined ? { message: item.message } : { message: item.message, field: item.field },
    );
    if (items.length > 0) return items;
  }
  return [{ message: fallbackMessage(status) }];
}

/** What a form shows when a success answer lacks what it needs (never, with the documented API). */
export const UNEXPECTED_ANSWER = 'Unexpected answer from the server.';

export interface FormErrors {
  /** First message per known field, keyed by field name. */
  fields: Record<string, string>;
  /** Messages not tied to a field this form shows. */
  form: string[];
}

export const NO_ERRORS: FormErrors = { fields: {}, form: [] };

/**
 * Splits error items between the fields a form shows (`knownFields`) and a form-level alert.
 * An item naming a field the form does not have goes to the alert, so no message is lost.
 * Duplicate messages are shown once.
 */
export function toFormErrors(errors: readonly ApiErrorItem[], knownFields: readonly string[]): FormErrors {
  const fields: Record<string, string> = {};
  const form: string[] = [];
  for (const { message, field } of errors) {
    if (field !== undefined && knownFields.includes(field)) {
      if (!(field in fields)) fields[field] = message;
    } else if (!form.includes(message)) {
      form.push(message);
    }
  }
  return { fields, form };
}

export function hasErrors(errors: FormErrors): boolean {
  return errors.form.length > 0 || Object.keys(errors.fields).length > 0;
}
