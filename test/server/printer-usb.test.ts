// USB printers: no USB device exists here, so a fake adapter with the
// @node-escpos/usb-adapter shape carries the bytes to the printer emulator
// (bulk OUT = a TCP write, bulk IN = what the emulator answers). The USB code
// path (persistent device, status read over the IN endpoint, re-open after an
// unplug) is the real one.
import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import type { PrintResult } from '../../protocol/devices.ts';
import { devicesOf } from '../../server/devices/index.ts';
import type { UsbAdapterFactory, UsbAdapterLike } from '../../server/devices/usb.ts';
import { FAST_PRINTING as FAST, usePrinterRig } from '../helpers/printer-rig.ts';
import { emitAck } from '../helpers/server.ts';
import { until } from '../helpers/until.ts';

const rig = usePrinterRig();

class FakeUsbPrinter extends EventEmitter implements UsbAdapterLike {
  private socket: net.Socket | null = null;
  private chunks: Buffer[] = [];
  private waiting: ((err: Error | null, data?: Buffer) => void) | null = null;
  constructor(private readonly port: number) {
    super();
  }
  open(cb?: (e: Error | null) => void): this {
    const s = net.connect(this.port, '127.0.0.1', () => cb?.(null));
    s.on('data', (d: Buffer) => {
      const w = this.waiting;
      this.waiting = null;
      if (w) w(null, d);
      else this.chunks.push(d);
    });
    s.on('error', (e) => this.waiting?.(e));
    this.socket = s;
    return this;
  }
  write(data: Buffer, cb?: (e: Error | null) => void): this {
    this.socket!.write(data, (e) => cb?.(e ?? null));
    return this;
  }
  close(cb?: (e: Error | null) => void): this {
    this.socket?.destroy();
    cb?.(null);
    return this;
  }
  deviceToPcEndpoint = {
    transfer: (_len: number, cb: (err: Error | null, data?: Buffer) => void): void => {
      const c = this.chunks.shift();
      if (c) cb(null, c);
      else this.waiting = cb;
    },
  };
  unplug(): void {
    this.socket?.destroy();
    this.emit('detach');
  }
}

function fakeUsb(): { factory: UsbAdapterFactory; opened: FakeUsbPrinter[] } {
  const opened: FakeUsbPrinter[] = [];
  return {
    opened,
    factory: (vid, pid) => {
      if (vid !== 0x04b8 || pid !== 0x0202) throw new Error('Can not find printer');
      const p = new FakeUsbPrinter(rig.emu.listeningPort);
      opened.push(p);
      return p;
    },
  };
}

const kiosk = (): Socket => rig.open('kiosk');

describe('USB receipt printer', () => {
  it('prints a kiosk ticket on 58 mm paper, asking the status over the IN endpoint, on one open device', async () => {
    const usb = fakeUsb();
    await rig.start({ printer: 'usb://04b8:0202?width=58', usb: usb.factory, timing: FAST });
    const k = kiosk();
    const results: PrintResult[] = [];
    k.on('print_result', (r: PrintResult) => results.push(r));
    await emitAck(k, 'issue', { service: 'ktp-el' });
    await emitAck(k, 'issue', { service: 'ktp-el' });
    const rs = await rig.emu.waitForReceipts(2);
    expect(rs.map((r) => r.lines.find((l) => l.width === 4)?.text)).toEqual(['A001', 'A002']);
    for (const r of rs) for (const l of r.lines) expect(l.text.length * l.width).toBeLessThanOrEqual(32);
    await until(() => results.length === 2);
    expect(results.map((r) => r.state)).toEqual(['printed', 'printed']);
    expect(usb.opened).toHaveLength(1);
    expect(rig.emu.statusRepliesSent).toBeGreaterThanOrEqual(3 * 4); // start-up query, then before/after each job
  });

  it('paper out over USB: held, reported, printed once when paper is back', async () => {
    const usb = fakeUsb();
    await rig.start({ printer: 'usb://04b8:0202', usb: usb.factory, timing: FAST });
    await until(() => devicesOf(rig.server.giliran.io)!.localPrinters.get('env')!.status.state === 'ok');
    const k = kiosk();
    const results: PrintResult[] = [];
    k.on('print_result', (r: PrintResult) => results.push(r));
    rig.emu.setPaperOut(true);
    await emitAck(k, 'issue', { service: 'kk' });
    await until(() => results.length === 1);
    expect(results[0]).toMatchObject({ state: 'failed', printer: { state: 'paper_out' } });
    rig.emu.setPaperOut(false);
    await rig.emu.waitForReceipts(1);
    await until(() => results.length === 2);
    expect(results[1]!.state).toBe('printed');
    // Printed once: the spooler has nothing left to send.
    expect(devicesOf(rig.server.giliran.io)!.localPrinters.get('env')!.pending).toEqual([]);
    expect(rig.emu.receipts).toHaveLength(1);
  });

  it('re-opens the device after it was unplugged', async () => {
    const usb = fakeUsb();
    await rig.start({ printer: 'usb://04b8:0202', usb: usb.factory, timing: FAST });
    await until(() => usb.opened.length === 1);
    const k = kiosk();
    const results: PrintResult[] = [];
    k.on('print_result', (r: PrintResult) => results.push(r));
    await emitAck(k, 'issue', { service: 'ktp-el' });
    await rig.emu.waitForReceipts(1);
    await until(() => results.length === 1);
    usb.opened[0]!.unplug();
    await emitAck(k, 'issue', { service: 'ktp-el' });
    const rs = await rig.emu.waitForReceipts(2);
    expect(rs.map((r) => r.lines.find((l) => l.width === 4)?.text)).toEqual(['A001', 'A002']);
    expect(usb.opened).toHaveLength(2);
    await until(() => results.length === 2);
    expect(results.map((r) => r.state)).toEqual(['printed', 'printed']);
  });

  it('with the real USB backend and no such device: the printer is offline and the kiosk is told, nothing crashes', async () => {
    await rig.start({ printer: 'usb://04b8:0202', timing: FAST });
    const k = kiosk();
    const results: PrintResult[] = [];
    k.on('print_result', (r: PrintResult) => results.push(r));
    await emitAck(k, 'issue', { service: 'ktp-el' });
    await until(() => results.length === 1);
    expect(results[0]).toMatchObject({ state: 'failed', printer: { state: 'offline' } });
  });
});
