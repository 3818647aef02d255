// `npm run schemas`: writes schemas/<name>.schema.json for each file format, from the valibot schemas the
// readers use (cli/schema.ts). test/schemas.test.ts fails when a file here is not what this writes.
import { writeFileSync } from 'node:fs';
import { jsonSchemaText, SCHEMA_NAMES } from '../cli/schema.js';

for (const name of SCHEMA_NAMES) {
  const file = new URL(`../schemas/${name}.schema.json`, import.meta.url);
  writeFileSync(file, jsonSchemaText(name));
  console.log(`wrote schemas/${name}.schema.json`);
}
