'use client';

import { useState } from 'react';
import { apiRequest } from '@/lib/browser-api';

/**
 * Signs out (POST /api/users/signout), then reloads on the home page: a full load drops every
 * page the client cached for the signed-in user.
 */
export function SignOutButton({ className }: { className?: string }) {
  const [pending, setPending] = useState(false);
  const [failed, setFailed] = useState(false);

  async function signOut() {
    setPending(true);
    setFailed(false);
    const result = await apiRequest<unknown>('POST', '/api/users/signout', {});
    if (result.ok) {
      window.location.assign('/');
      return;
    }
    setPending(false);
    setFailed(true);
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
