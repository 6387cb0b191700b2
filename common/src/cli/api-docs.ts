/**
 * Writes docs/openapi.json and docs/asyncapi.yaml from the route and event schemas:
 * `npm run docs:api`. common/src/api/api-docs.test.ts fails while they are out of date.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { docsFolder, renderApiDocs } from '../api/api-docs';

for (const [name, text] of Object.entries(renderApiDocs())) {
  const file = path.join(docsFolder, name);
  writeFileSync(file, text);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
