// Starting a peer child (bench/src/peers/*) and talking to it over IPC.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { startNode, stopProcess } from './children';

export interface Peer {
  proc: ChildProcess;
  pid: number;
  port: number;
  /** Sends a command and waits for the first reply of type `expect`. */
  ask<T extends { type: string }>(message: unknown, expect: string, timeoutMs?: number): Promise<T>;
  /** Waits for the next message of type `expect` (e.g. a result the peer sends when done). */
  next<T extends { type: string }>(expect: string, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

export async function startPeer(
  script: string,
  args: string[],
  cpus: string | null,
  timeoutMs = 20_000,
  /** Node flags of the peer (e.g. --inspect for a heap snapshot); the bench's own by default. */
  execArgv?: string[],
): Promise<Peer> {
  const proc = startNode(path.join(__dirname, '../peers', `${script}.js`), args, {
    cpus,
    silent: false,
    ...(execArgv ? { execArgv } : {}),
  });
  const next = <T extends { type: string }>(expect: string, ms = timeoutMs) =>
    new Promise<T>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        proc.off('message', onMessage);
        proc.off('exit', onExit);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`peer ${script}: no "${expect}" within ${ms} ms`));
      }, ms);
      const onMessage = (msg: T) => {
        if (msg.type === 'error') {
          done();
          reject(new Error(`peer ${script}: ${JSON.stringify(msg)}`));
          return;
        }
        if (msg.type !== expect) return;
        done();
        resolve(msg);
      };
      const onExit = (code: number | null) => {
        done();
        reject(new Error(`peer ${script} exited (${code}) before "${expect}"`));
      };
      proc.on('message', onMessage);
      proc.on('exit', onExit);
    });
  const ready = await next<{ type: string; port: number }>('ready');
  return {
    proc,
    pid: proc.pid ?? 0,
    port: ready.port,
    next,
    ask: (message, expect, ms) => {
      const reply = next(expect, ms);
      proc.send(message as object);
      return reply as never;
    },
    stop: () => stopProcess(proc, 5_000),
  };
}
