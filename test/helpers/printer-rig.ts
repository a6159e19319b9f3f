// The printer tests' shared setup: a fresh ESC/POS printer emulator on an
// ephemeral TCP port for every test, a Giliran server started with the
// devices the test names, and every socket, the server and the device
// configuration taken down after the test.
import type { Socket } from 'socket.io-client';
import { afterEach, beforeEach } from 'vitest';
import { configureDevices, type DeviceOverrides } from '../../server/devices/index.ts';
import { PrinterEmulator } from '../../tools/printer-emulator/printer-emulator.ts';
import { connect, startServer, type TestServer } from './server.ts';

/** Printer timings short enough for tests (status polls, retries). */
export const FAST_PRINTING = { pollMs: 100, idlePollMs: 0, retryDelaysMs: [50], holdMaxMs: 60_000 };

export interface PrinterRig {
  readonly emu: PrinterEmulator;
  /** The server of the current test (after start). */
  readonly server: TestServer;
  start(devices: DeviceOverrides): Promise<TestServer>;
  /** A socket of the current server, closed after the test. */
  open(role: 'kiosk' | 'counter' | 'display', opts?: { cookie?: string }): Socket;
  /**
   * Resolves once the printer has been asked for its status `n` more times
   * (DLE EOT 1): a spooler holding a job asks before every attempt, so each is
   * a chance it had to send the job.
   */
  statusPolls(n: number, timeoutMs?: number): Promise<void>;
}

/** Registers the per-test emulator and teardown; call once at the top of a test file. */
export function usePrinterRig(): PrinterRig {
  let emu: PrinterEmulator | null = null;
  let server: TestServer | null = null;
  const sockets: Socket[] = [];

  beforeEach(async () => {
    emu = new PrinterEmulator();
    await emu.start(0, '127.0.0.1');
  });

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    await server?.close();
    server = null;
    configureDevices(null);
    await emu?.stop();
    emu = null;
  });

  return {
    get emu() {
      if (!emu) throw new Error('the printer emulator runs only inside a test');
      return emu;
    },
    get server() {
      if (!server) throw new Error('start() the server first');
      return server;
    },
    async start(devices) {
      configureDevices(devices);
      server = await startServer();
      return server;
    },
    statusPolls(n, timeoutMs = 5000) {
      const e = this.emu;
      return new Promise<void>((resolve, reject) => {
        let seen = 0;
        const timer = setTimeout(() => {
          e.off('status', onStatus);
          reject(new Error(`the printer was asked for its status ${seen} times, not ${n}, within ${timeoutMs} ms`));
        }, timeoutMs);
        const onStatus = (s: { request: { command: string; n: number } }): void => {
          if (s.request.command !== 'DLE EOT' || s.request.n !== 1 || ++seen < n) return;
          clearTimeout(timer);
          e.off('status', onStatus);
          resolve();
        };
        e.on('status', onStatus);
      });
    },
    open(role, opts = {}) {
      if (!server) throw new Error('start() the server first');
      const s = connect(server.url, role, 'kupang', opts);
      sockets.push(s);
      return s;
    },
  };
}
