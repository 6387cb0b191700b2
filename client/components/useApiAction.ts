'use client';

import { useCallback, useState } from 'react';
import { apiRequest, type ApiMethod, type ApiResult } from '@/lib/browser-api';
import type { ApiErrorItem } from '@/lib/types';

export interface ApiAction {
  /** A request is on its way (or succeeded and the page is being left). */
  pending: boolean;
  /** The last failure's error items (the API's, or the fallback for its status); empty otherwise. */
  errors: ApiErrorItem[];
  /** The same, as the messages an alert shows. */
  messages: string[];
  /**
   * Sends one request: clears the errors, is pending until the answer, records the answer's
   * errors if it failed. With `leavesOnSuccess` it stays pending after a success, for actions
   * that navigate away then (no second submit in between).
   */
  send<T>(method: ApiMethod, path: string, body?: unknown, options?: { leavesOnSuccess?: boolean }): Promise<ApiResult<T>>;
  /** Shows errors of the caller's own (an answer it cannot use, a step after the request). */
  fail(messages: string[]): void;
}

/**
 * The pending / errors / apiRequest cycle every form and action button of the client goes
 * through, written once: a component says what to send and what a success means.
 */
export function useApiAction(): ApiAction {
  const [pending, setPending] = useState(false);
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);

  const send = useCallback(async <T,>(method: ApiMethod, path: string, body?: unknown, options: { leavesOnSuccess?: boolean } = {}) => {
    setPending(true);
    setErrors([]);
    const result = await apiRequest<T>(method, path, body);
    if (!result.ok) setErrors(result.errors);
    if (!(result.ok && options.leavesOnSuccess)) setPending(false);
    return result;
  }, []);

  const fail = useCallback((messages: string[]) => {
    setErrors(messages.map((message) => ({ message })));
    setPending(false);
  }, []);

  return { pending, errors, messages: errors.map((error) => error.message), send, fail };
}
