// Starts Giliran: settings from the environment (and GILIRAN_CONFIG), the
// store in GILIRAN_DATA (seeded with the demo offices when empty), HTTP and
// Socket.IO on HOST:PORT. Wiring only.
import { networkInterfaces } from 'node:os';
import { createGiliran } from './app.ts';
import { createLogger } from './log.ts';
import { loadSettings } from './settings.ts';

function lanAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  }
  return out;
}

async function main(): Promise<void> {
  let settings;
  try {
    settings = loadSettings();
  } catch (err) {
    console.error(`giliran: ${(err as Error).message}`);
    process.exit(2);
  }
  const log = createLogger(settings.logLevel);
  // A promise nobody awaited failed: every socket and HTTP handler catches its own errors, so this is a
  // slip in one request's path, not a broken process. Log it and keep serving the other offices.
  // (A thrown exception still ends the process: its state is unknown, and the service manager restarts it.)
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection; still serving');
  });
  let giliran;
  try {
    // Test and bench knobs of booking's proof of work and hold limits (docs/booking.md); production keeps the defaults.
    const booking = {
      ...(process.env.GILIRAN_BOOKING_POW_MAX ? { powMaxNumber: Number(process.env.GILIRAN_BOOKING_POW_MAX) } : {}),
      ...(process.env.GILIRAN_BOOKING_HOLDS_PER_MINUTE ? { holdsPerAddressPerMinute: Number(process.env.GILIRAN_BOOKING_HOLDS_PER_MINUTE), holdsPerNikPer10Minutes: Number(process.env.GILIRAN_BOOKING_HOLDS_PER_MINUTE) } : {}),
    };
    giliran = await createGiliran({ settings, log, booking });
  } catch (err) {
    console.error(`giliran: cannot start: ${(err as Error).message}`);
    process.exit(1);
  }
  const url = await giliran.listen();
  const port = new URL(url).port;
  const hosts = settings.host === '0.0.0.0' ? ['127.0.0.1', ...lanAddresses()] : [settings.host];
  const seeded = giliran.seededPassword;
  const office = giliran.queue.offices()[0]?.id ?? 'kupang';
  const lines = [
    `Giliran ${settings.host}:${port} — data in ${settings.dataDir}`,
    ...hosts.flatMap((h) => [
      `  Kiosk:    http://${h}:${port}/kiosk/?office=${office}`,
      `  Counter:  http://${h}:${port}/counter/?office=${office}`,
      `  Display:  http://${h}:${port}/display/?office=${office}`,
    ]),
    `  API:      http://127.0.0.1:${port}/api/v1/openapi.json`,
  ];
  if (seeded) {
    lines.push(
      'Demo offices created (kupang, padang-panjang). Accounts: admin, supervisor, petugas1..petugas4, petugas-pp1.',
      seeded.generated
        ? `  Password (shown only now; set GILIRAN_DEMO_PASSWORD to choose one): ${seeded.password}`
        : '  Password: the value of GILIRAN_DEMO_PASSWORD.',
    );
  }
  console.log(lines.join('\n'));
  // A line the crash tests and scripts wait for.
  log.info({ url }, 'listening');

  let closing = false;
  const stop = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    await giliran.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

void main();
