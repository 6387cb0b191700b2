import { z } from 'zod';
import { defineRoute, errors, json, uuid } from './route-definition';

const PASSWORD_MIN_LENGTH = 8;
const PASSWORD_MAX_LENGTH = 128;
/** The longest address SMTP can carry; also bounds the per-email rate-limit keys. */
const EMAIL_MAX_LENGTH = 254;

/**
 * Trimmed and lower-cased, so ` Ann@X.com` and `ann@x.com` are one account. zod's unicode
 * rule, like validator.js's isEmail before it, accepts non-ASCII local parts (`josé@…`).
 */
const email = z
  .string({ error: 'Email must be valid' })
  .trim()
  .toLowerCase()
  .max(EMAIL_MAX_LENGTH, 'Email must be valid')
  .pipe(z.email({ pattern: z.regexes.unicodeEmail, error: 'Email must be valid' }));

/** The password policy, enforced when a password is chosen. */
const newPassword = z
  .string({ error: 'Password must be a string' })
  .min(PASSWORD_MIN_LENGTH, `Password must be between ${PASSWORD_MIN_LENGTH} and ${PASSWORD_MAX_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `Password must be between ${PASSWORD_MIN_LENGTH} and ${PASSWORD_MAX_LENGTH} characters`);

/**
 * A password to check. Only presence and the maximum are enforced: a later, stricter minimum
 * must not lock out older accounts, and the maximum keeps huge inputs away from scrypt.
 */
const password = z
  .string({ error: 'You must supply a password' })
  .min(1, 'You must supply a password')
  .max(PASSWORD_MAX_LENGTH, 'You must supply a password');

export const signupBody = z.object({ email, password: newPassword }).meta({ id: 'SignupRequest' });
export const signinBody = z.object({ email, password }).meta({ id: 'SigninRequest' });
/** What sign-up and sign-in read once their body has validated. */
export type Credentials = z.output<typeof signinBody>;

export const userJson = z.object({ id: uuid, email: z.string() }).meta({ id: 'User', description: 'A signed-in user: what the session cookie carries.' });
export const currentUserJson = z.object({ currentUser: z.union([userJson, z.null()]) }).meta({ id: 'CurrentUserResponse' });

const sessionSet = 'The user; sets the `session` cookie (a JWT `{id, email}`; httpOnly, sameSite=lax).';

export const userRoutes = {
  signup: defineRoute({
    method: 'post',
    path: '/api/users/signup',
    summary: 'Create an account and sign in',
    auth: 'none',
    request: { body: signupBody },
    responses: { 201: json(userJson, sessionSet), ...errors({ 400: 'Invalid email or password, or "Email in use"', 429: 'Too many sign-ups from this network' }) },
  }),
  signin: defineRoute({
    method: 'post',
    path: '/api/users/signin',
    summary: 'Sign in',
    auth: 'none',
    request: { body: signinBody },
    responses: { 200: json(userJson, sessionSet), ...errors({ 400: '"Invalid credentials", or a malformed body', 429: 'Too many attempts from this network or for this account' }) },
  }),
  signout: defineRoute({
    method: 'post',
    path: '/api/users/signout',
    summary: 'Sign out (clears the session cookie)',
    auth: 'none',
    request: {},
    responses: { 200: json(z.object({}), 'Always `{}`') },
  }),
  currentUser: defineRoute({
    method: 'get',
    path: '/api/users/currentuser',
    summary: 'Who the session cookie belongs to',
    auth: 'none',
    request: {},
    responses: { 200: json(currentUserJson, '`{currentUser: null}` without a valid session') },
  }),
};
