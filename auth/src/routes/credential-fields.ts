import { body } from 'express-validator';

const PASSWORD_MIN_LENGTH = 8;
const PASSWORD_MAX_LENGTH = 128;

/** What sign-up and sign-in read from the body once the fields below have validated it. */
export interface Credentials {
  email: string;
  password: string;
}

/** Trimmed and lower-cased, so ` Ann@X.com` and `ann@x.com` are one account. */
export const emailField = () =>
  body('email')
    .isString().withMessage('Email must be valid').bail()
    .trim()
    .isEmail().withMessage('Email must be valid').bail()
    .toLowerCase();

/** The password policy, enforced when a password is chosen. */
export const newPasswordField = () =>
  body('password')
    .isString().withMessage('Password must be a string').bail()
    .isLength({ min: PASSWORD_MIN_LENGTH, max: PASSWORD_MAX_LENGTH })
    .withMessage(`Password must be between ${PASSWORD_MIN_LENGTH} and ${PASSWORD_MAX_LENGTH} characters`);

/**
 * A password to check. Only presence and the maximum are enforced: a later, stricter minimum
 * must not lock out older accounts, and the maximum keeps huge inputs away from scrypt.
 */
export const passwordField = () =>
  body('password')
    .isString().withMessage('You must supply a password').bail()
    .isLength({ min: 1, max: PASSWORD_MAX_LENGTH }).withMessage('You must supply a password');
