// giliran agent: drives a receipt printer and/or a barcode scanner attached to
// a kiosk PC for the Giliran server.
//
//   npm run agent -- --server http://192.168.1.10:3000 --token TOKEN \
//     --printer usb://0416:5011?width=58 --scanner hid://0c2e:0b61 --kiosk dev-AbCd1234
//
//   npm run agent -- --server URL --pair --token-file ~/.config/giliran-agent/token
//     asks the server for a pairing code, shows it, waits for an admin to
//     approve it, and stores the token in the file.
//
// Options can also come from the environment: GILIRAN_SERVER, GILIRAN_AGENT_TOKEN,
// GILIRAN_AGENT_PRINTER, GILIRAN_AGENT_SCANNER, GILIRAN_AGENT_KIOSKS (comma separated).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../log.ts';
import { Agent } from './agent.ts';

const HELP = `Usage: giliran agent --server URL (--token TOKEN | --token-file FILE | --pair) [options]

  --server URL        Giliran server, e.g. http://192.168.1.10:3000
  --token TOKEN       device token of a paired agent (or GILIRAN_AGENT_TOKEN)
  --token-file FILE   read the token from FILE (written by --pair)
  --pair              pair this agent: show a code for an admin to approve, then save the token
  --office ID         office id (default: the office the agent was paired for)
  --printer URL       tcp://HOST[:9100] or usb://VID:PID, with ?width=58|80 and &status=off
  --scanner URL       hid://VID:PID, with ?mode=keyboard|pos
  --kiosk ID          kiosk device id this agent prints for (repeatable)
  --state FILE        where printed job ids are kept (default ~/.local/state/giliran-agent/jobs.json; "none" = memory)
  --log-level LEVEL   info (default), debug, warn …
`;

function die(message: string): never {
  process.stderr.write(`giliran agent: ${message}\n`);
  process.exit(2);
}

async function pair(server: string, tokenFile: string, name: string | undefined): Promise<string> {
  const start = await fetch(new URL('/api/v1/devices/pairing', server), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'agent', ...(name ? { name } : {}) }),
  });
  if (start.status !== 201) die(`pairing request refused: ${start.status} ${await start.text()}`);
  const req = (await start.json()) as { requestId: string; code: string; secret: string; expiresAt: string };
  process.stdout.write(`Pairing code: ${req.code}\nAsk an admin to approve it (POST /api/v1/devices/pairing/${req.code}/approve) before ${req.expiresAt}.\n`);
  for (;;) {
    await new Promise((r) => setTimeout(r, 3000));
    const res = await fetch(new URL(`/api/v1/devices/pairing/${req.requestId}`, server), { headers: { 'x-pairing-secret': req.secret } });
    if (res.status === 404) die('the pairing code expired; run --pair again');
    const body = (await res.json()) as { status: string; token?: string; device?: { id: string; officeId: string } };
    if (body.status === 'approved' && body.token) {
      await mkdir(path.dirname(tokenFile), { recursive: true });
      await writeFile(tokenFile, `${body.token}\n`, { mode: 0o600 });
      process.stdout.write(`Paired as ${body.device?.id} (office ${body.device?.officeId}); token saved in ${tokenFile}\n`);
      return body.token;
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      server: { type: 'string' },
      token: { type: 'string' },
      'token-file': { type: 'string' },
      pair: { type: 'boolean', default: false },
      name: { type: 'string' },
      office: { type: 'string' },
      printer: { type: 'string' },
      scanner: { type: 'string' },
      kiosk: { type: 'string', multiple: true },
      state: { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const env = process.env;
  const server = values.server ?? env.GILIRAN_SERVER ?? die('--server URL is required');
  try {
    new URL(server);
  } catch {
    die(`--server: not a URL: ${server}`);
  }
  const tokenFile = values['token-file'] ?? path.join(homedir(), '.config', 'giliran-agent', 'token');
  let token = values.token ?? env.GILIRAN_AGENT_TOKEN ?? null;
  if (!token && values.pair) token = await pair(server, tokenFile, values.name);
  if (!token) {
    try {
      token = (await readFile(tokenFile, 'utf8')).trim() || null;
    } catch {
      token = null;
    }
  }
  if (!token) die(`no device token: give --token, --token-file, or pair first with --pair`);
  const printer = values.printer ?? env.GILIRAN_AGENT_PRINTER ?? null;
  const scanner = values.scanner ?? env.GILIRAN_AGENT_SCANNER ?? null;
  if (!printer && !scanner) die('nothing to drive: give --printer and/or --scanner');
  const kiosks = values.kiosk ?? (env.GILIRAN_AGENT_KIOSKS ? env.GILIRAN_AGENT_KIOSKS.split(',').map((s) => s.trim()).filter(Boolean) : []);
  const stateArg = values.state ?? path.join(homedir(), '.local', 'state', 'giliran-agent', 'jobs.json');
  const log = createLogger(values['log-level']);

  const agent = new Agent({ server, token, office: values.office ?? null, printer, scanner, kiosks, stateFile: stateArg === 'none' ? null : stateArg, log });
  try {
    const welcome = await agent.start();
    log.info({ agent: welcome.agentId, office: welcome.officeId, kiosks, printer, scanner }, 'agent running');
    if (kiosks.length === 0 && printer) log.warn('no --kiosk given: the server sends jobs here only for kiosks mapped to agent://<this agent> in GILIRAN_PRINTERS');
  } catch (err) {
    die((err as Error).message);
  }
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await agent.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

void main();
