// Peer for S2: bare aedes (the broker library the platform embeds), a few
// lines, in-memory persistence, no auth, no rules, no database.
import net from 'node:net';
import { exitWithParent, tell } from './peer-protocol';

async function main(): Promise<void> {
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker();
  const server = net.createServer((socket) => broker.handle(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  exitWithParent(() => new Promise<void>((resolve) => broker.close(() => resolve())));
  await tell({ type: 'ready', port: (server.address() as net.AddressInfo).port });
}

void main();
