// Runs the ESC/POS printer emulator on its own and prints every receipt to
// stdout, e.g.   npm run printer-emulator -- --port 9100 --host 0.0.0.0
//
// While it runs, type a command and Enter to simulate printer conditions:
//   paper | cover | offline | nearend | error   toggle that condition
//   drop <bytes>                                drop the next connection after <bytes>
//   refuse                                      toggle refusing connections
//   status                                      show the status bytes
//   open                                        show the receipt not yet cut
import { parseArgs } from 'node:util';
import readline from 'node:readline';
import type { DecodedReceipt, ReceiptItem, TextLine } from './escpos-decoder.ts';
import { PrinterEmulator, realtimeStatusByte } from './printer-emulator.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9100' },
    host: { type: 'string', default: '127.0.0.1' },
    columns: { type: 'string', default: '48' }, // 48 for 80 mm (font A), 32 for 58 mm
    commands: { type: 'boolean', default: false }, // also list every decoded command
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    'Usage: printer-emulator [--port 9100] [--host 127.0.0.1] [--columns 48] [--commands]\n',
  );
  process.exit(0);
}

const port = Number(values.port);
const columns = Math.max(16, Number(values.columns) || 48);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`invalid --port ${values.port}\n`);
  process.exit(2);
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

function renderLine(line: TextLine): string {
  const marks: string[] = [];
  if (line.width !== 1 || line.height !== 1) marks.push(`[SIZE ${line.width}x${line.height}]`);
  if (line.bold) marks.push('[B]');
  if (line.underline) marks.push('[U]');
  if (line.invert) marks.push('[INV]');
  if (line.font !== 'A') marks.push(`[FONT ${line.font}]`);
  const prefix = marks.length > 0 ? `${marks.join('')} ` : '';
  const text = line.text.replace(/\t/g, '    ');
  // Each character takes `width` columns on paper.
  const cols = Math.max(1, Math.floor(columns / Math.max(1, line.width)));
  const pad = Math.max(0, cols - text.length);
  const left = line.align === 'center' ? Math.floor(pad / 2) : line.align === 'right' ? pad : 0;
  return `${' '.repeat(left * Math.max(1, line.width))}${prefix}${text}`;
}

function renderItem(item: ReceiptItem): string {
  switch (item.type) {
    case 'text':
      return renderLine(item.line);
    case 'qr':
      return `[QR: ${item.payload}] (model ${item.model}, size ${item.size}, level ${item.errorLevel})`;
    case 'code2d':
      return `[${item.symbology.toUpperCase()}: ${item.payload}]`;
    case 'barcode':
      return `[BARCODE ${item.symbology}: ${item.text}]`;
    case 'image':
      return `[IMAGE ${item.source} ${item.widthDots}x${item.heightDots}]`;
    case 'feed':
      return `[FEED ${item.amount} ${item.unit}]`;
    case 'cut':
      return `[CUT${item.mode === 'partial' ? ' partial' : ''}]`;
    case 'drawer':
      return `[DRAWER pin ${item.pin} ${item.onMs}ms]`;
  }
}

function printReceipt(r: DecodedReceipt, title: string): void {
  const bar = '-'.repeat(columns);
  const out = [`${bar}`, `${title} #${r.index + 1} (${r.byteLength} bytes, max text size ${r.maxTextSize})`, bar];
  for (const item of r.items) out.push(renderItem(item));
  if (values.commands) {
    out.push(bar);
    for (const c of r.commands) out.push(`  ${JSON.stringify(c)}`);
  }
  out.push(bar, '');
  process.stdout.write(out.join('\n') + '\n');
}

const printer = new PrinterEmulator();

printer.on('receipt', (r) => printReceipt(r, 'RECEIPT'));
printer.on('connection', (c) => process.stderr.write(`+ connection ${c.connectionId} from ${c.remoteAddress}:${c.remotePort}\n`));
printer.on('disconnect', (c) =>
  process.stderr.write(`- connection ${c.connectionId} closed after ${c.bytes} bytes${c.dropped ? ' (dropped)' : ''}\n`),
);
printer.on('status', (e) => {
  const req = e.request.command === 'DLE EOT' ? `DLE EOT ${e.request.n}` : `${e.request.command} ${e.request.n}`;
  process.stderr.write(`  status ${req} -> ${[...e.reply].map(hex).join(' ') || '(nothing)'}\n`);
});

function showStatus(): void {
  const s = printer.status;
  const bytes = ([1, 2, 3, 4] as const).map((n) => `DLE EOT ${n} = ${hex(realtimeStatusByte(s, n))}`).join(', ');
  process.stderr.write(
    `paperOut=${s.paperOut} nearEnd=${s.paperNearEnd} coverOpen=${s.coverOpen} offline=${s.offline} error=${s.error ?? 'none'}\n${bytes}\n` +
      `received ${printer.bytesReceived} bytes, discarded while paper out ${printer.rejectedWhilePaperOut}, held ${printer.heldBytes}\n`,
  );
}

let refusing = false;
async function command(line: string): Promise<void> {
  const [cmd, arg] = line.trim().split(/\s+/);
  const s = printer.status;
  switch (cmd) {
    case '':
    case undefined:
      return;
    case 'paper':
      printer.setPaperOut(!s.paperOut);
      break;
    case 'nearend':
      printer.setPaperNearEnd(!s.paperNearEnd);
      break;
    case 'cover':
      printer.setCoverOpen(!s.coverOpen);
      break;
    case 'offline':
      printer.setOffline(!s.offline);
      break;
    case 'error':
      printer.setError(s.error ? null : 'auto-recoverable');
      break;
    case 'drop':
      printer.dropNextConnectionAfter(Number(arg ?? 0));
      process.stderr.write(`next connection dropped after ${Number(arg ?? 0)} bytes\n`);
      return;
    case 'refuse':
      refusing = !refusing;
      await printer.refuseConnections(refusing);
      process.stderr.write(refusing ? 'refusing connections\n' : 'accepting connections\n');
      return;
    case 'open': {
      const r = printer.openReceipt;
      if (r) printReceipt(r, 'OPEN (not cut)');
      else process.stderr.write('no open receipt\n');
      return;
    }
    case 'status':
      break;
    default:
      process.stderr.write('commands: paper | cover | offline | nearend | error | drop <bytes> | refuse | status | open\n');
      return;
  }
  showStatus();
}

const { port: actual } = await printer.start(port, values.host);
process.stderr.write(`ESC/POS printer emulator listening on ${values.host}:${actual} (type "help" for commands)\n`);

const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on('line', (line) => {
  command(line).catch((err: unknown) => process.stderr.write(`${String(err)}\n`));
});

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  rl.close();
  await printer.stop();
  const open = printer.openReceipt;
  if (open && open.items.length > 0) printReceipt(open, 'OPEN (not cut)');
  process.stderr.write('printer emulator stopped\n');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
