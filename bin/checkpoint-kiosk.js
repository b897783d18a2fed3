#!/usr/bin/env node
// Entry point of the `checkpoint-kiosk` command. It runs the JavaScript built by `npm ci`
// (the `prepare` step: scripts/build.mjs writes dist/cli/); the TypeScript sources are only for
// development (`node --import tsx src/cli/entry.ts …`).
try {
  await import('../dist/cli/entry.js');
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/entry.js')) {
    process.stderr.write('checkpoint-kiosk: the command is not built yet: run `npm run build` (or `npm ci`) in the checkout first\n');
    process.exitCode = 1;
  } else {
    throw err;
  }
}
