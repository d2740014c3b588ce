#!/usr/bin/env -S node --max-semi-space-size=64
// The `claims` binary. TypeScript sources run through tsx's loader, so there is no build step to forget
// and no stale output to run by mistake (docs/decisions/0001-run-typescript-through-tsx.md). The first line's
// node flags are CLAIMS_NODE_FLAGS (src/runtime/node-flags.ts), also passed by the npm scripts.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
