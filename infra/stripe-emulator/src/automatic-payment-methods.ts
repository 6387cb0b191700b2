/**
 * Which payment method types an intent accepts: an explicit card-only list, or Stripe's
 * automatic payment methods (the default since API 2023-08-16), whose `allow_redirects` decides
 * whether confirming needs a `return_url`.
 */
import { invalidRequest, missingParam } from './errors';
import {
  optionalBoolean,
  optionalObject,
  optionalString,
  optionalStringArray,
  rejectUnknownParams,
  type FormObject,
} from './params';
import type { AutomaticPaymentMethods } from './types';

const AUTOMATIC_PAYMENT_METHODS_DEFAULT_SINCE = '2023-08-16';

/**
 * An explicit list of method types: `allowed_payment_method_types` (API 2026-09-30 and later,
 * the only one SDK v23 types) or the older `payment_method_types` (still accepted here).
 */
function explicitMethodTypes(params: FormObject): string[] | undefined {
  const allowed = optionalStringArray(params, 'allowed_payment_method_types');
  const legacy = optionalStringArray(params, 'payment_method_types');
  if (allowed !== undefined && legacy !== undefined) {
    throw invalidRequest('You may only specify one of these parameters: allowed_payment_method_types, payment_method_types.');
  }
  const name = allowed === undefined ? 'payment_method_types' : 'allowed_payment_method_types';
  const types = allowed ?? legacy;
  types?.forEach((type, index) => {
    if (type !== 'card') {
      throw invalidRequest(`The MicroTick Stripe emulator only supports the payment method type 'card', not '${type}'.`, {
        param: `${name}[${index}]`,
      });
    }
  });
  return types;
}

export function automaticPaymentMethods(params: FormObject, apiVersion: string): AutomaticPaymentMethods | null {
  const types = explicitMethodTypes(params);
  const automatic = optionalObject(params, 'automatic_payment_methods');
  if (types !== undefined && automatic !== undefined) {
    throw invalidRequest(
      'You may only specify one of these parameters: automatic_payment_methods, payment_method_types.',
    );
  }
  if (types !== undefined) return null;
  if (automatic === undefined) {
    return apiVersion >= AUTOMATIC_PAYMENT_METHODS_DEFAULT_SINCE ? { enabled: true, allow_redirects: 'always' } : null;
  }
  rejectUnknownParams(automatic, new Set(['enabled', 'allow_redirects']), new Set(), 'automatic_payment_methods');
  const enabled = optionalBoolean(automatic, 'enabled', 'automatic_payment_methods[enabled]');
  if (enabled === undefined) throw missingParam('automatic_payment_methods[enabled]');
  const redirects = optionalString(automatic, 'allow_redirects', 'automatic_payment_methods[allow_redirects]') ?? 'always';
  if (redirects !== 'always' && redirects !== 'never') {
    throw invalidRequest(`Invalid automatic_payment_methods[allow_redirects]: must be one of always or never`, {
      param: 'automatic_payment_methods[allow_redirects]',
    });
  }
  return enabled ? { enabled, allow_redirects: redirects } : null;
}
