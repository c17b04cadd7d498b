#!/usr/bin/env node
import { tuneRuntime } from '../runtime.js';
import { main } from './commands.js';

tuneRuntime();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
