#!/usr/bin/env node
// The `claims` binary. TypeScript sources run through tsx's loader, so there is no build step to forget
// and no stale output to run by mistake (docs/decisions/0001-run-typescript-through-tsx.md).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
