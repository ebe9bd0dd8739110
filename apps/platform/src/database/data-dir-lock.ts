import fs from 'node:fs';
import path from 'node:path';

export class DataDirInUseError extends Error {}

function isLivePlatform(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // After a kill -9 and reboot (or in a container) the PID may now belong to something else.
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return true;
  }
}

/**
 * Takes `anxin.lock` in the data dir so two platforms never share one embedded
 * database. A lock left by a crashed or kill -9'd platform is taken over.
 * Returns the release function.
 */
export function acquireDataDirLock(dataDir: string): () => void {
  const lockPath = path.join(dataDir, 'anxin.lock');
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      // 'wx' is atomic: of two platforms starting together exactly one creates it.
      fs.writeFileSync(lockPath, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }), {
        flag: 'wx',
      });
      return () => {
        try {
          const holder = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as { pid?: number };
          if (holder.pid === process.pid) fs.unlinkSync(lockPath);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holderPid = NaN;
    try {
      holderPid = Number((JSON.parse(fs.readFileSync(lockPath, 'utf8')) as { pid?: unknown }).pid);
    } catch {
      // unreadable or half-written lock: treat as stale
    }
    if (isLivePlatform(holderPid)) {
      throw new DataDirInUseError(
        `ANXIN_DATA_DIR ${dataDir} is in use by another Anxin platform (pid ${holderPid}); stop it or choose another ANXIN_DATA_DIR`,
      );
    }
    fs.rmSync(lockPath, { force: true });
  }
  throw new DataDirInUseError(`ANXIN_DATA_DIR ${dataDir}: could not take ${lockPath}`);
}
