// Reading V8 heap snapshots (the `.heapsnapshot` JSON that DevTools and
// `node --heapsnapshot-signal` write) just far enough to compare two of one
// process: live objects per class ("constructor" in DevTools), and for the
// objects that are new in the second, who holds them. Object ids are stable
// across the snapshots of one process, so "new" means allocated in between
// and still alive.

interface RawSnapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface ClassTally {
  count: number;
  bytes: number;
}

export class HeapSnapshot {
  private readonly nodes: number[];
  private readonly edges: number[];
  private readonly strings: string[];
  private readonly nodeTypes: string[];
  private readonly edgeTypes: string[];
  private readonly nodeFields: number;
  private readonly edgeFields: number;
  private readonly at: { type: number; name: number; id: number; size: number; edgeCount: number };
  private readonly edgeAt: { type: number; name: number; to: number };

  constructor(text: string) {
    const raw = JSON.parse(text) as RawSnapshot;
    const meta = raw.snapshot.meta;
    this.nodes = raw.nodes;
    this.edges = raw.edges;
    this.strings = raw.strings;
    this.nodeTypes = meta.node_types[0];
    this.edgeTypes = meta.edge_types[0];
    this.nodeFields = meta.node_fields.length;
    this.edgeFields = meta.edge_fields.length;
    const field = (fields: string[], name: string) => {
      const i = fields.indexOf(name);
      if (i === -1) throw new Error(`heap snapshot without a "${name}" field`);
      return i;
    };
    this.at = {
      type: field(meta.node_fields, 'type'),
      name: field(meta.node_fields, 'name'),
      id: field(meta.node_fields, 'id'),
      size: field(meta.node_fields, 'self_size'),
      edgeCount: field(meta.node_fields, 'edge_count'),
    };
    this.edgeAt = {
      type: field(meta.edge_fields, 'type'),
      name: field(meta.edge_fields, 'name_or_index'),
      to: field(meta.edge_fields, 'to_node'),
    };
  }

  get nodeCount(): number {
    return this.nodes.length / this.nodeFields;
  }

  ids(): Set<number> {
    const ids = new Set<number>();
    for (let i = 0; i < this.nodes.length; i += this.nodeFields) ids.add(this.nodes[i + this.at.id]!);
    return ids;
  }

  /**
   * The class a node is counted under, as DevTools' summary groups them, but
   * closures by function name and internal arrays by their role, so that one
   * closure per connection shows as such.
   */
  classOf(node: number): string {
    const base = node * this.nodeFields;
    const type = this.nodeTypes[this.nodes[base + this.at.type]!] ?? '?';
    const name = this.strings[this.nodes[base + this.at.name]!] ?? '';
    switch (type) {
      case 'object':
      case 'native':
      case 'hidden':
      case 'synthetic':
        return name;
      case 'closure':
        return `(closure) ${name || '(anonymous)'}`;
      case 'array':
        return `(array) ${name}`;
      case 'string':
      case 'concatenated string':
      case 'sliced string':
        return '(string)';
      default:
        return `(${type})`;
    }
  }

  /** Live objects per class: how many and their own (shallow) bytes. */
  byClass(only?: (node: number) => boolean): Map<string, ClassTally> {
    const tally = new Map<string, ClassTally>();
    for (let node = 0; node < this.nodeCount; node++) {
      if (only && !only(node)) continue;
      const key = this.classOf(node);
      const entry = tally.get(key) ?? { count: 0, bytes: 0 };
      entry.count += 1;
      entry.bytes += this.nodes[node * this.nodeFields + this.at.size]!;
      tally.set(key, entry);
    }
    return tally;
  }

  /** Nodes whose id `before` did not hold: allocated since, and still alive. */
  newNodes(before: Set<number>): (node: number) => boolean {
    return (node) => !before.has(this.nodes[node * this.nodeFields + this.at.id]!);
  }

  /**
   * Who refers to the chosen nodes of each class (weak references left out):
   * "holder class . edge name" with a count, most frequent first.
   */
  retainersOf(classes: Set<string>, chosen: (node: number) => boolean, top = 3): Map<string, [string, number][]> {
    const byClass = new Map<string, Map<string, number>>();
    let edge = 0;
    for (let from = 0; from < this.nodeCount; from++) {
      const edgeCount = this.nodes[from * this.nodeFields + this.at.edgeCount]!;
      for (let e = 0; e < edgeCount; e++, edge += this.edgeFields) {
        const edgeType = this.edgeTypes[this.edges[edge + this.edgeAt.type]!] ?? '';
        if (edgeType === 'weak') continue;
        const to = this.edges[edge + this.edgeAt.to]! / this.nodeFields;
        if (!chosen(to)) continue;
        const cls = this.classOf(to);
        if (!classes.has(cls)) continue;
        const nameOrIndex = this.edges[edge + this.edgeAt.name]!;
        const label =
          edgeType === 'element' || edgeType === 'hidden' ? `[]` : (this.strings[nameOrIndex] ?? String(nameOrIndex));
        const key = `${this.classOf(from)}.${label}`;
        const counts = byClass.get(cls) ?? new Map<string, number>();
        counts.set(key, (counts.get(key) ?? 0) + 1);
        byClass.set(cls, counts);
      }
    }
    const out = new Map<string, [string, number][]>();
    for (const [cls, counts] of byClass) out.set(cls, [...counts].sort((a, b) => b[1] - a[1]).slice(0, top));
    return out;
  }
}

export interface ClassGrowth extends ClassTally {
  name: string;
}

/** Per class, what `after` holds beyond `before` (count and bytes), largest byte growth first. */
export function classGrowth(before: Map<string, ClassTally>, after: Map<string, ClassTally>): ClassGrowth[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names]
    .map((name) => ({
      name,
      count: (after.get(name)?.count ?? 0) - (before.get(name)?.count ?? 0),
      bytes: (after.get(name)?.bytes ?? 0) - (before.get(name)?.bytes ?? 0),
    }))
    .sort((a, b) => b.bytes - a.bytes);
}
