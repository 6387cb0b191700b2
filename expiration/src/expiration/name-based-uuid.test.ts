import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { nameBasedUuid } from './name-based-uuid';

const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

describe('nameBasedUuid', () => {
  it('matches the RFC 9562 example for version 5', () => {
    expect(nameBasedUuid(DNS_NAMESPACE, 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('is deterministic, distinct per name, and a valid UUID', () => {
    const name = randomUUID();
    const id = nameBasedUuid(DNS_NAMESPACE, name);
    expect(nameBasedUuid(DNS_NAMESPACE, name)).toBe(id);
    expect(nameBasedUuid(DNS_NAMESPACE, randomUUID())).not.toBe(id);
    expect(z.uuid().safeParse(id).success).toBe(true);
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => nameBasedUuid('not-a-uuid', 'x')).toThrow(/namespace is not a UUID/);
  });
});
