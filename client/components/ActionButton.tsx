'use client';

import { FormAlert } from './FormAlert';

/**
 * A button that sends one request (useApiAction, useOrderTicket): disabled and relabelled while
 * pending, with the request's error messages above it.
 */
export function ActionButton({
  pending,
  errors,
  onClick,
  label,
  pendingLabel,
  className = 'button',
  testId,
  errorTestId,
}: {
  pending: boolean;
  errors: string[];
  onClick: () => void;
  label: string;
  pendingLabel: string;
  className?: string;
  testId: string;
  errorTestId: string;
}) {
  return (
    <div>
      <FormAlert messages={errors} testId={errorTestId} />
      <button type="button" className={className} onClick={onClick} disabled={pending} data-testid={testId}>
        {pending ? pendingLabel : label}
      </button>
    </div>
  );
}
