// Hardware wiring: receipt printers and scanners attached to the server or to
// agents. Called once at start; returns how to stop. Owned by the hardware issue.
//
// Configuration comes from the environment (config.ts: GILIRAN_PRINTER,
// GILIRAN_PRINTERS, GILIRAN_SCANNER, GILIRAN_RECEIPT_LOGO). Tests, and anything
// else that builds a server in-process, can set it instead with
// configureDevices() before createGiliran(); devicesOf(io) gives the running hub.
// The hub knows no sockets: server/realtime/ delivers what it says.
import type { Logger } from '../log.ts';
import { deviceConfigFromEnv, parsePrinterMap, parsePrinterUrl, parseScannerUrl, type DeviceConfig } from './config.ts';
import { DeviceHub, type DeviceContext, type HubOptions } from './hub.ts';

export type { DeviceContext };

/** Replaces what the environment says, key by key (undefined keeps the environment's value). */
export interface DeviceOverrides extends HubOptions {
  /** Like GILIRAN_PRINTER; null = none. */
  printer?: string | null;
  /** Like GILIRAN_PRINTERS. */
  printers?: Record<string, string>;
  /** Like GILIRAN_SCANNER; null = none. */
  scanner?: string | null;
  /** Logo PNG, base64. */
  logoPng?: string | null;
  /** Logger for device messages (default: the server's). */
  log?: Logger;
}

let overrides: DeviceOverrides | null = null;
const hubs = new WeakMap<object, DeviceHub>();

/** Sets (or with null clears) the device configuration used by the next attachDevices calls. */
export function configureDevices(o: DeviceOverrides | null): void {
  overrides = o;
}

/** The device hub of a running server, by its Socket.IO server (tests, diagnostics). */
export function devicesOf(io: object): DeviceHub | undefined {
  return hubs.get(io);
}

function resolveConfig(env: NodeJS.ProcessEnv): DeviceConfig {
  const fromEnv = deviceConfigFromEnv(env);
  const o = overrides;
  if (!o) return fromEnv;
  return {
    printer: o.printer === undefined ? fromEnv.printer : o.printer === null ? null : parsePrinterUrl(o.printer, 'printer'),
    printers: o.printers === undefined ? fromEnv.printers : parsePrinterMap(JSON.stringify(o.printers), 'printers'),
    scanner: o.scanner === undefined ? fromEnv.scanner : o.scanner === null ? null : parseScannerUrl(o.scanner, 'scanner'),
    logoPng: o.logoPng === undefined ? fromEnv.logoPng : o.logoPng,
  };
}

/**
 * Builds the hub; `start()` opens the printers and scanner and begins to print
 * issued tickets (after the realtime broadcaster is listening, so screens hear
 * of a change before any receipt is laid out). `owner` is what devicesOf() finds it by.
 */
export function createDevices(ctx: DeviceContext, owner: object): { hub: DeviceHub; start(): void; close(): Promise<void> } {
  const config = resolveConfig(process.env);
  const log = (overrides?.log ?? ctx.log).child({ component: 'devices' });
  const hub = new DeviceHub(ctx, config, overrides ?? {}, log);
  return {
    hub,
    start() {
      hub.start();
      hubs.set(owner, hub);
    },
    async close() {
      hubs.delete(owner);
      await hub.close();
    },
  };
}
