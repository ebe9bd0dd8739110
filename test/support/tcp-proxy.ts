import net from 'node:net';

/**
 * A TCP proxy a test controls, put between the platform and a real server (e.g. PostgreSQL on
 * 127.0.0.1:5432) to simulate the server going away without touching the machine's shared service.
 *
 *   const proxy = await startTcpProxy(5432);
 *   const url = `postgres://postgres@127.0.0.1:${proxy.port}/${db.name}`;
 *   proxy.refuse();   // cut every open connection; new ones are closed at once
 *   proxy.accept();   // forward again
 *   await proxy.close();
 *
 * Given several ports, it is a round-robin balancer: each new connection goes to the next one
 * (no stickiness, as a plain L4 balancer in front of several platform processes).
 */
export interface TcpProxy {
  /** The local port clients connect to. */
  readonly port: number;
  /** Connections currently forwarded. */
  readonly openConnections: number;
  /** Destroys every open connection and stops listening (new connections get ECONNREFUSED) until `accept()`. */
  refuse(): Promise<void>;
  /** Listens on the same port again and forwards new connections. */
  accept(): Promise<void>;
  /** Destroys every open connection but keeps accepting new ones (a server-side reset). */
  cut(): void;
  close(): Promise<void>;
}

/** Told of every chunk forwarded: 'c' client → server, 's' server → client (the order of a protocol's round trips). */
export type ProxyTraffic = (direction: 'c' | 's') => void;

export async function startTcpProxy(
  target: number | number[],
  targetHost = '127.0.0.1',
  traffic?: ProxyTraffic,
): Promise<TcpProxy> {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  const targets = Array.isArray(target) ? target : [target];
  let next = 0;

  const server = net.createServer((client) => {
    const upstream = net.connect(targets[next++ % targets.length]!, targetHost);
    const pair = { client, upstream };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    if (traffic) {
      client.on('data', () => traffic('c'));
      upstream.on('data', () => traffic('s'));
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });

  const cutAll = () => {
    for (const { client, upstream } of pairs) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      // close() stops accepting at once; its callback waits for open sockets, which cutAll ends.
      server.close(() => resolve());
      cutAll();
    });

  await listen(0);
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    get openConnections() {
      return pairs.size;
    },
    refuse: stopListening,
    accept: () => (server.listening ? Promise.resolve() : listen(port)),
    cut: cutAll,
    close: stopListening,
  };
}
