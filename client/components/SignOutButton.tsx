'use client';

import { useApiAction } from './useApiAction';

/**
 * Signs out (POST /api/users/signout), then reloads on the home page: a full load drops every
 * page the client cached for the signed-in user.
 */
export function SignOutButton({ className }: { className?: string }) {
  const { pending, errors, send } = useApiAction();
  const failed = errors.length > 0;

  async function signOut() {
    const result = await send<unknown>('POST', '/api/users/signout', {}, { leavesOnSuccess: true });
    if (result.ok) window.location.assign('/');
  }

  return (
    <button
      type="button"
      className={className}
      onClick={signOut}
      disabled={pending}
      title={failed ? 'Sign out failed. Try again.' : undefined}
    >
      {pending ? 'Signing out…' : failed ? 'Sign out (retry)' : 'Sign out'}
    </button>
  );
}
