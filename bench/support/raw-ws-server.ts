// Baseline for bench/broadcast-latency.ts: a bare `ws` server (no socket.io,
// no queue, no disk) that, when told over HTTP, sends one text frame to every
// connected client. The frame is a template (a real delta's JSON, posted once)
// wrapped as `[<id>,<template>]` and padded with JSON whitespace to exactly the
// byte size asked for, so clients parse the same amount of the same kind of
// JSON as Giliran's display clients do.
//
//   POST /template  body: the JSON text to send (once, before broadcasting)
//   POST /broadcast body: {"id": number, "bytes": number}  → {"sent": n, "bytes": b}
//   GET  /clients   → {"clients": n}
// Prints its URL on stdout, like server/main.ts; stops on SIGTERM.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

const clients = new Set<WebSocket>();
let template = '{}';

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      text += c;
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

function frame(id: number, bytes: number): string {
  const core = `[${id},${template}`;
  const pad = Math.max(0, bytes - Buffer.byteLength(core) - 1);
  return `${core}${' '.repeat(pad)}]`;
}

const http = createServer((req, res) => {
  void (async () => {
    if (req.method === 'POST' && req.url === '/template') {
      template = await body(req);
      JSON.parse(template); // must be JSON
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'POST' && req.url === '/broadcast') {
      const { id, bytes } = JSON.parse(await body(req)) as { id: number; bytes: number };
      const payload = frame(id, bytes);
      for (const ws of clients) ws.send(payload);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sent: clients.size, bytes: Buffer.byteLength(payload) }));
      return;
    }
    if (req.method === 'GET' && req.url === '/clients') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ clients: clients.size }));
      return;
    }
    res.writeHead(404).end();
  })().catch((err: unknown) => {
    res.writeHead(500).end(String(err));
  });
});

const wss = new WebSocketServer({ server: http, path: '/ws' });
wss.on('connection', (ws) => {
  clients.add(ws);
  ws.on('close', () => clients.delete(ws));
  ws.on('error', () => clients.delete(ws));
});

http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = http.address() as AddressInfo;
  console.log(`Raw ws server http://127.0.0.1:${port} (ws path /ws)`);
});

process.on('SIGTERM', () => {
  for (const ws of clients) ws.terminate();
  wss.close();
  http.close();
  process.exit(0);
});
