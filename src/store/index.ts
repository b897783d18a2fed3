/** The durable store (docs/POLICY.md, docs/PROTOCOL.md, docs/OPERATIONS.md): open it with openStore(); program against CheckInStore. */
export { openStore, DB_FILE_NAME, SCHEMA_VERSION, type OpenStoreOptions } from './open-store.js';
export { SqliteStore } from './sqlite-store.js';
export { StoreError, toStoreError, type StoreErrorCode, type StoreErrorJSON } from './errors.js';
export { MIGRATIONS, type Migration } from './migrations.js';
export type * from './types.js';
