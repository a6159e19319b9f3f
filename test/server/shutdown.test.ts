// Stopping the server (tests, restarts, updates) must not wait for clients: a
// browser that keeps a connection open, or a request stuck half sent, is cut.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server.ts';

describe('shutdown', () => {
  it('closes at once with a request in flight and an idle keep-alive connection open', async () => {
    const srv = await startServer();
    const { port } = new URL(srv.url);
    const open = (text: string) =>
      new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect(Number(port), '127.0.0.1', () => {
          s.write(text);
          resolve(s);
        });
        s.on('error', reject);
      });
    // Headers promise a body that never comes: the request stays in flight.
    const stuck = await open(`POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user`);
    // A finished request on a keep-alive connection, left open.
    const idle = await open(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`);
    await new Promise<void>((resolve) => idle.once('data', () => resolve()));
    const ended = Promise.all([stuck, idle].map((s) => new Promise<void>((resolve) => s.once('close', () => resolve()))));
    const t0 = Date.now();
    await srv.close();
    expect(Date.now() - t0).toBeLessThan(5_000);
    await ended; // both connections were cut by the server
  });
});
