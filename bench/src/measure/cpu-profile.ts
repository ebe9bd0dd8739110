// A V8 CPU profile of one load window of another process, taken over its
// inspector (`node --inspect=127.0.0.1:<port>`): the same .cpuprofile that
// `--cpu-prof` writes, but of the window only, not of start-up and connect.
import WebSocket from 'ws';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

/** The `.cpuprofile` format (Chrome DevTools, `node --cpu-prof`). */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The `.heapprofile` format (DevTools' allocation sampling). */
export interface AllocationProfile {
  head: AllocationNode;
}

interface AllocationNode {
  callFrame: CallFrame;
  selfSize: number;
  children: AllocationNode[];
}

/** One inspector session on a running Node process, driving its sampling profilers. */
export class CpuProfiler {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  /** Pieces of the heap snapshot being taken (the inspector streams it as events). */
  private snapshotChunks: string[] = [];

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString()) as {
        id?: number;
        result?: unknown;
        error?: { message: string };
        method?: string;
        params?: { chunk?: string };
      };
      if (msg.method === 'HeapProfiler.addHeapSnapshotChunk') this.snapshotChunks.push(msg.params?.chunk ?? '');
      const p = msg.id === undefined ? undefined : this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id!);
      if (msg.error) p.reject(new Error(msg.error.message));
      else p.resolve(msg.result);
    });
  }

  static async attach(inspectPort: number): Promise<CpuProfiler> {
    const targets = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as {
      webSocketDebuggerUrl: string;
    }[];
    const url = targets[0]?.webSocketDebuggerUrl;
    if (!url) throw new Error(`no inspector target on port ${inspectPort}`);
    const socket = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1024 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new CpuProfiler(socket);
  }

  /** Starts sampling every `intervalUs` µs (V8's default is 1,000). */
  async start(intervalUs = 1_000): Promise<void> {
    await this.send('Profiler.enable');
    await this.send('Profiler.setSamplingInterval', { interval: intervalUs });
    await this.send('Profiler.start');
  }

  async stop(): Promise<CpuProfile> {
    const { profile } = (await this.send('Profiler.stop')) as { profile: CpuProfile };
    await this.send('Profiler.disable');
    this.socket.close();
    return profile;
  }

  /**
   * Samples allocations (one per `intervalBytes` on average) instead of CPU, the
   * ones garbage-collected meanwhile included: what the window allocated, by stack.
   */
  async startAllocations(intervalBytes = 32 * 1024): Promise<void> {
    await this.send('HeapProfiler.enable');
    await this.send('HeapProfiler.startSampling', {
      samplingInterval: intervalBytes,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }

  async stopAllocations(): Promise<AllocationProfile> {
    const { profile } = (await this.send('HeapProfiler.stopSampling')) as { profile: AllocationProfile };
    await this.send('HeapProfiler.disable');
    this.socket.close();
    return profile;
  }

  /** The process's own `process.memoryUsage()`, after a full garbage collection if `gc`. */
  async memoryUsage(gc: boolean): Promise<NodeJS.MemoryUsage> {
    if (gc) await this.send('HeapProfiler.collectGarbage');
    const { result } = (await this.send('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    })) as { result: { value: string } };
    return JSON.parse(result.value) as NodeJS.MemoryUsage;
  }

  /** Bytes V8 has committed per heap space (new, old, code, large objects, …), without a GC. */
  async heapSpaces(): Promise<Record<string, number>> {
    const { result } = (await this.send('Runtime.evaluate', {
      // The main module's require: the inspector's global scope has none of its own.
      expression:
        "JSON.stringify(Object.fromEntries(process.mainModule.require('node:v8').getHeapSpaceStatistics().map((s) => [s.space_name, s.physical_space_size])))",
      returnByValue: true,
    })) as { result: { value?: string } };
    return result.value ? (JSON.parse(result.value) as Record<string, number>) : {};
  }

  /** A heap snapshot (the `.heapsnapshot` JSON text; V8 collects garbage first). */
  async heapSnapshot(): Promise<string> {
    this.snapshotChunks = [];
    await this.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    const text = this.snapshotChunks.join('');
    this.snapshotChunks = [];
    return text;
  }

  detach(): void {
    this.socket.close();
  }

  private send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }
}

export interface SelfTime {
  functionName: string;
  /** Where it is, `…/node_modules/` and `dist/` cut: `zod/v4/core/…`, `apps/platform/…`, `libs/contract/…`. */
  location: string;
  /** Milliseconds of samples whose top frame was this function. */
  selfMs: number;
  /** Share of the busy (non-idle) samples. */
  share: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  functions: SelfTime[];
  /** Self time per package (`zod`, `pg`, …), the platform's own code, Node internals, GC. */
  modules: SelfTime[];
}

/** Self time per function (samples weighted by their time deltas) and per module, busiest first. */
export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfByNode = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time since the previous sample; the next sample's delta is this one's duration.
    const us = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + Math.max(0, us));
  });
  let idleUs = 0;
  const fns = new Map<string, SelfTime>();
  const modules = new Map<string, SelfTime>();
  const add = (into: Map<string, SelfTime>, key: string, name: string, location: string, us: number) => {
    const entry = into.get(key) ?? { functionName: name, location, selfMs: 0, share: 0 };
    entry.selfMs += us / 1000;
    into.set(key, entry);
  };
  for (const [id, us] of selfByNode) {
    const frame = byNode.get(id)?.callFrame;
    if (!frame) continue;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const location = shortLocation(frame.url);
    const name = frame.functionName || '(anonymous)';
    const where = location === '' ? '' : `${location}:${frame.lineNumber + 1}`;
    add(fns, `${name} ${where}`, name, where, us);
    const module = moduleOf(frame);
    add(modules, module, module, '', us);
  }
  const busyUs = [...fns.values()].reduce((n, f) => n + f.selfMs * 1000, 0);
  const ranked = (m: Map<string, SelfTime>) =>
    [...m.values()]
      .map((f) => ({ ...f, share: busyUs > 0 ? (f.selfMs * 1000) / busyUs : 0 }))
      .sort((a, b) => b.selfMs - a.selfMs);
  return { busyMs: busyUs / 1000, idleMs: idleUs / 1000, functions: ranked(fns), modules: ranked(modules) };
}

export interface AllocationSite {
  functionName: string;
  location: string;
  /** Bytes the function allocated itself over the window (sampled, so an estimate). */
  bytes: number;
  share: number;
}

/**
 * Bytes allocated per function (self), largest first; and per module, where a
 * built-in (`Map`, `split`, …) counts for the module that called it.
 */
export function summarizeAllocations(profile: AllocationProfile): {
  totalBytes: number;
  sites: AllocationSite[];
  modules: AllocationSite[];
} {
  const bySite = new Map<string, AllocationSite>();
  const byModule = new Map<string, AllocationSite>();
  let totalBytes = 0;
  const visit = (node: AllocationNode, callerModule: string) => {
    const frame = node.callFrame;
    const location = shortLocation(frame.url);
    const where = location === '' ? '' : `${location}:${frame.lineNumber + 1}`;
    const name = frame.functionName || '(anonymous)';
    const site = bySite.get(`${name} ${where}`) ?? { functionName: name, location: where, bytes: 0, share: 0 };
    site.bytes += node.selfSize;
    totalBytes += node.selfSize;
    bySite.set(`${name} ${where}`, site);
    const module = location === '' ? callerModule : moduleOf(frame);
    const owner = byModule.get(module) ?? { functionName: module, location: '', bytes: 0, share: 0 };
    owner.bytes += node.selfSize;
    byModule.set(module, owner);
    for (const child of node.children) visit(child, module);
  };
  visit(profile.head, '(native)');
  const ranked = (m: Map<string, AllocationSite>) =>
    [...m.values()]
      .map((site) => ({ ...site, share: totalBytes > 0 ? site.bytes / totalBytes : 0 }))
      .sort((a, b) => b.bytes - a.bytes);
  return { totalBytes, sites: ranked(bySite), modules: ranked(byModule) };
}

function shortLocation(url: string): string {
  if (url === '') return '';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm !== -1) return path.slice(nm + '/node_modules/'.length);
  // Our own builds: dist/apps/platform/… and libs/contract/dist/… both read as apps/… and libs/….
  const ours = /\/((?:apps|libs)\/.*)$/.exec(path);
  return ours ? ours[1]!.replace('/dist/', '/') : path;
}

function moduleOf(frame: CallFrame): string {
  const location = shortLocation(frame.url);
  if (location === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (location.startsWith('node:')) return 'node internals';
  if (location.startsWith('apps/') || location.startsWith('libs/')) return location.split('/').slice(0, 3).join('/');
  const url = frame.url.replace(/^file:\/\//, '');
  if (url.includes('/node_modules/')) {
    const [scope, name] = location.split('/');
    return scope?.startsWith('@') ? `${scope}/${name ?? ''}` : (scope ?? location);
  }
  return location;
}
