import express from 'express';
import { weakETag } from './weak-etag';

describe('weakETag', () => {
  it('gives what Express’s default ETag function gives', () => {
    const expressETag = express().get('etag fn') as (body: string | Buffer, encoding?: BufferEncoding) => string;
    const bodies: (string | Buffer)[] = ['', '[]', '{"a":1}', 'é✓ — 🎟', 'x'.repeat(100_000), Buffer.alloc(0), Buffer.from([0, 255, 1, 2]), Buffer.alloc(70_000, 7)];
    for (const body of bodies) expect(weakETag(body)).toBe(expressETag(body));
    expect(weakETag('café', 'latin1')).toBe(expressETag('café', 'latin1'));
  });
});
