#!/usr/bin/env node
// Run after `npm install` changes the lock: `node scripts/lockfile/add-platform-stubs.cjs`.
// Adds lock entries for optional platform packages the registry mirror does not carry,
// so `npm ci` accepts the lock; npm skips them on this platform (os/cpu) or tolerates their absence (optional).
const fs = require('fs');
const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8'));
const pk = lock.packages;
let added = 0;
for (const [path, node] of Object.entries(pk)) {
  for (const [name, range] of Object.entries(node.optionalDependencies || {})) {
    const key = `node_modules/${name}`;
    if (pk[key] || pk[`${path}/node_modules/${name}`]) continue;
    const m = name.match(/(darwin|win32|linux|freebsd|android|openharmony|sunos|aix)[-_]?([a-z0-9]+)?/);
    const entry = { version: String(range).replace(/^[\^~]/, ''), optional: true };
    if (m) {
      entry.os = [m[1]];
      const cpu = (name.match(/(arm64|x64|ia32|arm|ppc64|s390x|riscv64|loong64|mips64el)/) || [])[1];
      if (cpu) entry.cpu = [cpu];
    }
    pk[key] = entry;
    added++;
  }
}
fs.writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\n');
console.log('added', added);
