'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { toFormErrors } from '@/lib/api-errors';
import type { CurrentUser } from '@/lib/types';
import { FormAlert } from './FormAlert';
import { FormField } from './FormField';
import styles from './Form.module.css';
import { useApiAction } from './useApiAction';

const FIELDS = ['email', 'password'] as const;

const COPY = {
  signup: {
    title: 'Create your account',
    lead: 'Sell tickets you can’t use and buy the ones you want.',
    submit: 'Sign up',
    pending: 'Creating account…',
    endpoint: '/api/users/signup',
    switchText: 'Already have an account?',
    switchLink: 'Sign in',
    switchHref: '/auth/signin',
  },
  signin: {
    title: 'Welcome back',
    lead: 'Sign in to buy tickets and manage your orders.',
    submit: 'Sign in',
    pending: 'Signing in…',
    endpoint: '/api/users/signin',
    switchText: 'New to MicroTick?',
    switchLink: 'Create an account',
    switchHref: '/auth/signup',
  },
} as const;

/**
 * Sign-up / sign-in form. On success it does a full page load of `next`, so every part of the
 * page (the header included) is rendered for the new session.
 */
export function AuthForm({ mode, next }: { mode: 'signup' | 'signin'; next: string }) {
  const copy = COPY[mode];
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { pending, errors: failure, send } = useApiAction();
  const errors = toFormErrors(failure, FIELDS);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = await send<CurrentUser>('POST', copy.endpoint, { email, password }, { leavesOnSuccess: true });
    if (result.ok) window.location.assign(next);
  }

  const switchHref = next === '/' ? copy.switchHref : `${copy.switchHref}?next=${encodeURIComponent(next)}`;

  return (
    <div className={`card ${styles.narrow}`}>
      <h1 className={styles.panelTitle}>{copy.title}</h1>
      <p className={styles.panelLead}>{copy.lead}</p>
      <form className={styles.form} onSubmit={onSubmit} noValidate aria-label={copy.submit} data-testid={`${mode}-form`}>
        <FormAlert messages={errors.form} />
        <FormField
          id="email"
          label="Email"
          type="email"
          autoComplete="email"
          inputMode="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.fields.email}
          required
        />
        <FormField
          id="password"
          label="Password"
          type="password"
          autoComplete={mode === 'signup' ? 'new-password' : 'current-password'}
          hint={mode === 'signup' ? 'At least 8 characters.' : undefined}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.fields.password}
          required
        />
        <button type="submit" className="button button-block" disabled={pending}>
          {pending ? copy.pending : copy.submit}
        </button>
      </form>
      <p className={styles.switch}>
        {copy.switchText} <Link href={switchHref}>{copy.switchLink}</Link>
      </p>
    </div>
  );
}
