#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step), so the installed bin is always the checkout.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
