#!/usr/bin/env node
import { tuneProcess } from '../process-settings.js';
import { rememberEnvSecrets, scrubStderr } from '../scrub.js';
import { main } from './commands.js';

tuneProcess();
// Everything this process writes to stderr goes through the outgoing-text scrubber, which also
// knows the values of the secret-named environment variables the SDKs read behind our back.
scrubStderr();
rememberEnvSecrets();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
