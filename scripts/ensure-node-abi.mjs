// `npm start` rebuilds the native modules for Electron's ABI (electron-builder install-app-deps);
// `npm test` runs under plain Node. This puts the Node build back when the Electron one is in
// place, so switching between the two never ends in "was compiled against a different
// Node.js version".
import { execSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const natives = ['better-sqlite3', 'node-hid', '@serialport/bindings-cpp'];
const broken = natives.filter((name) => {
  try {
    const mod = require(name);
    if (name === 'better-sqlite3') new mod(':memory:').close();
    return false;
  } catch (err) {
    return /NODE_MODULE_VERSION|was compiled against/.test(String(err?.message ?? err));
  }
});
if (broken.length > 0) {
  console.error(`rebuilding ${broken.join(', ')} for Node ${process.version} (they were built for Electron)`);
  execSync(`npm rebuild ${broken.join(' ')}`, { stdio: 'inherit' });
}
