#!/usr/bin/env node
// Entry point of the `agent-factory` binary: loads the TypeScript CLI through tsx so the
// package runs from source without a build step.
import { register } from 'tsx/esm/api';

register();
await import('./agent-factory.ts');
