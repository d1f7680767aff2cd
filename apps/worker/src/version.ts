import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Version of the product, from the root package.json; sent in `user-agent`. */
export const PRODUCT_VERSION: string = (
  JSON.parse(
    readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8'),
  ) as { version: string }
).version;
