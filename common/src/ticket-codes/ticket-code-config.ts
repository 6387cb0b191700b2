import { z } from 'zod';
import { parseEd25519Key } from './ticket-code';

/**
 * A config variable holding an Ed25519 key (PEM or one-line base64 DER), parsed at start-up so
 * a wrong key stops the service with its name instead of failing the first check-in.
 * Orders holds TICKET_CODE_PRIVATE_KEY (it signs); tickets holds TICKET_CODE_PUBLIC_KEY only.
 */
export const ed25519KeySetting = (kind: 'private' | 'public') =>
  z.string().min(1).transform((text, ctx) => {
    try {
      return parseEd25519Key(text, kind);
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be an Ed25519 ${kind} key (PEM, or base64 ${kind === 'private' ? 'PKCS#8' : 'SPKI'} DER)` });
      return z.NEVER;
    }
  });
