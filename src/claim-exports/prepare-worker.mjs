// Entry of a claims-preparing worker thread (src/claim-exports/prepare-pool.ts). A worker does not inherit the
// main thread's loader, so it registers tsx itself, as bin/claims.mjs does, before loading the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./prepare-thread.ts');
