// Baseline for bench/issue-throughput.ts: a bare socket.io server with the
// same server options as Giliran whose /kiosk namespace acknowledges every
// `issue` at once (no validation, no state, no disk, no broadcast). Prints its
// URL on stdout, like server/main.ts, and stops on SIGTERM.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

const http = createServer((_req, res) => {
  res.writeHead(404).end();
});
const io = new Server(http, { serveClient: false, cors: { origin: false }, pingInterval: 10_000, pingTimeout: 8_000 });
io.of('/kiosk').on('connection', (socket) => {
  socket.on('issue', (payload: unknown, ack: unknown) => {
    if (typeof ack === 'function') ack({ ok: true, data: payload });
  });
});

http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = http.address() as AddressInfo;
  console.log(`Echo socket.io server http://127.0.0.1:${port}`);
});

process.on('SIGTERM', () => {
  io.close();
  process.exit(0);
});
