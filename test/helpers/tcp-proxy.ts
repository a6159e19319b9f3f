// A TCP proxy a test controls, between an office box and the central: it can
// refuse connections (the network is down), cut a connection once a number of
// request bytes went through (mid-batch), or let a request through and drop its
// answer (the central stored it, the box never heard).
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export type ProxyMode = { kind: 'open' } | { kind: 'down' } | { kind: 'cut_request'; afterBytes: number } | { kind: 'drop_response' };

export interface TcpProxy {
  url: string;
  mode: ProxyMode;
  /** Connections cut (or refused) so far. */
  cuts: number;
  /** Cuts once, then lets traffic through again. */
  cutOnce(mode: Extract<ProxyMode, { kind: 'cut_request' | 'drop_response' }>): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const t = new URL(target);
  const sockets = new Set<net.Socket>();
  let onCut: (() => void) | null = null;
  const proxy: TcpProxy = {
    url: '',
    mode: { kind: 'open' },
    cuts: 0,
    cutOnce(mode) {
      proxy.mode = mode;
      return new Promise<void>((resolve) => (onCut = resolve));
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const cut = (a: net.Socket, b: net.Socket) => {
    a.destroy();
    b.destroy();
    proxy.cuts++;
    if (onCut) {
      proxy.mode = { kind: 'open' };
      const f = onCut;
      onCut = null;
      f();
    }
  };
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (proxy.mode.kind === 'down') {
      proxy.cuts++;
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(t.port), t.hostname);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    /** Request bytes since the last answer: a big one is a batch of commits. */
    let asked = 0;
    client.on('data', (chunk) => {
      const m = proxy.mode;
      if (m.kind === 'down') return cut(client, upstream);
      if (m.kind === 'cut_request' && asked + chunk.length > m.afterBytes) {
        // Part of the batch reaches the central, then the line goes dead.
        upstream.write(chunk.subarray(0, Math.max(0, m.afterBytes - asked)), () => cut(client, upstream));
        return;
      }
      asked += chunk.length;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      const m = proxy.mode;
      // An answer to a POST (a batch the central has stored) is lost on the way back.
      if (m.kind === 'drop_response' && asked > 2_000) return cut(client, upstream);
      if (m.kind === 'down') return cut(client, upstream);
      asked = 0;
      client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
