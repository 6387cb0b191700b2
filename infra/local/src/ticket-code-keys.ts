import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportEd25519Key, isEd25519Key } from '@microtick/common';

/** The Ed25519 pair for ticket codes as the services read it: orders gets the private half, tickets the public one. */
export interface TicketCodeKeys {
  privateKey: string;
  publicKey: string;
}

export function generateTicketCodeKeys(): TicketCodeKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey: exportEd25519Key(privateKey), publicKey: exportEd25519Key(publicKey) };
}

/**
 * This installation's pair, made on first use and kept in `file` (readable by its owner only),
 * so the ticket codes buyers got yesterday still check in after a restart.
 */
export function installationTicketCodeKeys(file: string): TicketCodeKeys {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const keys = generateTicketCodeKeys();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return keys;
  }
  // Never replaced silently: the codes buyers already hold would all stop checking in.
  const stored = parseStored(text);
  if (!stored) throw new Error(`${file} does not hold a ticket-code key pair; fix it, or delete it to make a new pair (codes issued so far stop working)`);
  return stored;
}

function parseStored(text: string): TicketCodeKeys | undefined {
  try {
    const { privateKey, publicKey } = JSON.parse(text) as Partial<TicketCodeKeys>;
    if (typeof privateKey === 'string' && typeof publicKey === 'string' && isEd25519Key(privateKey, 'private') && isEd25519Key(publicKey, 'public')) {
      return { privateKey, publicKey };
    }
  } catch {
    // not JSON
  }
  return undefined;
}
