// USB receipt printers. The USB code is loaded only when a usb:// printer is
// configured, with require() (the ESM build of @node-escpos/usb-adapter fails
// to import: "Named export 'findByIds' not found" from 'usb'; see
// realUsbAdapter for why). The device stays open between jobs; a detach (cable
// pulled) is noticed and the next job opens it again.
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { PrinterLink, PrinterTransport } from './printer.ts';
import { TimeoutError } from './printer.ts';

/** The part of @node-escpos/usb-adapter's USBAdapter we use (a test fake implements the same). */
export interface UsbAdapterLike {
  open(callback?: (error: Error | null) => void): unknown;
  write(data: Buffer, callback?: (error: Error | null) => void): unknown;
  close(callback?: (error: Error | null) => void): unknown;
  on(event: 'detach' | 'disconnect', listener: () => void): unknown;
  /** Bulk IN endpoint; absent on printers that cannot send status. */
  deviceToPcEndpoint?: { transfer?: (length: number, cb: (error: Error | undefined | null, data?: Buffer) => void) => void } | null;
}

/** Opens the printer with this vendor/product id; throws when it is not attached. */
export type UsbAdapterFactory = (vendorId: number, productId: number) => UsbAdapterLike;

let loaded: UsbAdapterFactory | null = null;

/**
 * The real USB backend. @node-escpos/usb-adapter needs the node-usb 2.x API
 * (`findByIds`, libusb); npm resolves its `usb: "*"` to node-usb 3 (a Rust
 * rewrite with only the WebUSB API), with which the adapter cannot find any
 * printer. So: the adapter when node-usb 2 is installed, else the same
 * open/write/read/close shape over node-usb 3's WebUSB API (WebUsbPrinter).
 * Throws with a clear message when neither loads.
 */
export function realUsbAdapter(): UsbAdapterFactory {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  let usbModule: Record<string, unknown>;
  try {
    usbModule = require('usb') as Record<string, unknown>;
  } catch (err) {
    throw new Error(`USB printing is unavailable: cannot load the usb module (on Debian: apt-get install libusb-1.0-0): ${(err as Error).message}`);
  }
  if (typeof usbModule.findByIds === 'function') {
    const USBAdapter = require('@node-escpos/usb-adapter') as new (vid: number, pid: number) => UsbAdapterLike;
    loaded = (vid, pid) => new USBAdapter(vid, pid);
  } else {
    const webusb = usbModule.usb as WebUsbLike | undefined;
    if (!webusb || typeof webusb.findDeviceByIds !== 'function') throw new Error('USB printing is unavailable: the installed usb module has neither the node-usb 2 nor the WebUSB API');
    loaded = (vid, pid) => new WebUsbPrinter(webusb, vid, pid);
  }
  return loaded;
}

// ------------------------------------------------------------------ node-usb 3 (WebUSB)

interface WebUsbEndpoint {
  endpointNumber: number;
  direction: 'in' | 'out';
  type: 'bulk' | 'interrupt' | 'isochronous';
}
interface WebUsbInterface {
  interfaceNumber: number;
  alternate: { interfaceClass: number; endpoints: WebUsbEndpoint[] };
}
interface WebUsbDevice {
  open(): Promise<void>;
  close(): Promise<void>;
  configuration: { interfaces: WebUsbInterface[] } | null;
  selectConfiguration(value: number): Promise<void>;
  claimInterface(n: number): Promise<void>;
  detachKernelDriver?(n: number): Promise<void>;
  transferOut(endpoint: number, data: Uint8Array): Promise<{ status: string; bytesWritten: number }>;
  transferIn(endpoint: number, length: number): Promise<{ status: string; data?: DataView }>;
}
interface WebUsbLike {
  findDeviceByIds(vid: number, pid: number): Promise<WebUsbDevice | undefined>;
  addEventListener?(type: 'disconnect', listener: (e: { device: unknown }) => void): void;
  removeEventListener?(type: 'disconnect', listener: (e: { device: unknown }) => void): void;
}

const PRINTER_CLASS = 7;

/** A USB printer over the WebUSB API: the printer-class interface, its bulk OUT and (if any) bulk IN endpoints. */
class WebUsbPrinter extends EventEmitter implements UsbAdapterLike {
  private device: WebUsbDevice | null = null;
  private out: number | null = null;
  deviceToPcEndpoint: UsbAdapterLike['deviceToPcEndpoint'] = null;
  private readonly onDisconnect = (e: { device: unknown }): void => {
    if (e.device === this.device) this.emit('detach');
  };

  constructor(
    private readonly webusb: WebUsbLike,
    private readonly vid: number,
    private readonly pid: number,
  ) {
    super();
  }

  open(callback?: (error: Error | null) => void): this {
    this.connect().then(
      () => callback?.(null),
      (err: unknown) => callback?.(err as Error),
    );
    return this;
  }

  private async connect(): Promise<void> {
    const device = await this.webusb.findDeviceByIds(this.vid, this.pid);
    if (!device) throw new Error('Can not find printer');
    await device.open();
    if (!device.configuration) await device.selectConfiguration(1);
    const interfaces = device.configuration?.interfaces ?? [];
    const iface = interfaces.find((i) => i.alternate.interfaceClass === PRINTER_CLASS) ?? interfaces.find((i) => i.alternate.endpoints.some((e) => e.direction === 'out' && e.type === 'bulk'));
    if (!iface) throw new Error('Can not find endpoint from printer');
    // Linux binds usblp to printer interfaces; we talk to the device directly.
    await device.detachKernelDriver?.(iface.interfaceNumber).catch(() => {});
    await device.claimInterface(iface.interfaceNumber);
    const out = iface.alternate.endpoints.find((e) => e.direction === 'out' && e.type === 'bulk');
    const inEp = iface.alternate.endpoints.find((e) => e.direction === 'in' && e.type === 'bulk');
    if (!out) throw new Error('Can not find endpoint from printer');
    this.device = device;
    this.out = out.endpointNumber;
    this.deviceToPcEndpoint = inEp
      ? {
          transfer: (length, cb) => {
            device.transferIn(inEp.endpointNumber, length).then(
              (r) => cb(r.status === 'ok' ? null : new Error(`USB IN ${r.status}`), r.data ? Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength) : undefined),
              (err: unknown) => cb(err as Error),
            );
          },
        }
      : null;
    this.webusb.addEventListener?.('disconnect', this.onDisconnect);
  }

  write(data: Buffer, callback?: (error: Error | null) => void): this {
    const device = this.device;
    if (!device || this.out === null) {
      callback?.(new Error('USB printer not open'));
      return this;
    }
    device.transferOut(this.out, data).then(
      (r) => callback?.(r.status === 'ok' && r.bytesWritten === data.length ? null : new Error(`USB OUT ${r.status}, ${r.bytesWritten}/${data.length} bytes`)),
      (err: unknown) => callback?.(err as Error),
    );
    return this;
  }

  close(callback?: (error: Error | null) => void): this {
    this.webusb.removeEventListener?.('disconnect', this.onDisconnect);
    const device = this.device;
    this.device = null;
    (device ? device.close() : Promise.resolve()).then(
      () => callback?.(null),
      (err: unknown) => callback?.(err as Error),
    );
    return this;
  }
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

export class UsbTransport implements PrinterTransport {
  readonly url: string;
  private adapter: UsbAdapterLike | null = null;
  private link: UsbLink | null = null;

  constructor(
    readonly vendorId: number,
    readonly productId: number,
    private readonly factory: () => UsbAdapterFactory = realUsbAdapter,
  ) {
    this.url = `usb://${hex4(vendorId)}:${hex4(productId)}`;
  }

  async connect(timeoutMs: number): Promise<PrinterLink> {
    if (this.link && !this.link.broken) return this.link;
    await this.dispose();
    const adapter = this.factory()(this.vendorId, this.productId);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TimeoutError(`opening ${this.url} timed out`)), timeoutMs);
      adapter.open((err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      });
    });
    this.adapter = adapter;
    this.link = new UsbLink(adapter);
    adapter.on('detach', () => this.link?.break(new Error(`${this.url} was unplugged`)));
    return this.link;
  }

  async dispose(): Promise<void> {
    const a = this.adapter;
    this.adapter = null;
    this.link = null;
    if (a) await new Promise<void>((resolve) => a.close(() => resolve()));
  }
}

class UsbLink implements PrinterLink {
  broken: Error | null = null;
  private input: Buffer[] = [];
  private inputLength = 0;
  private inflight: Promise<void> | null = null;
  /** Ends a read's wait early when the device goes away. */
  private wake: (() => void) | null = null;

  constructor(private readonly adapter: UsbAdapterLike) {}

  get canRead(): boolean {
    return typeof this.adapter.deviceToPcEndpoint?.transfer === 'function';
  }

  break(err: Error): void {
    this.broken ??= err;
    this.wake?.();
  }

  write(bytes: Buffer): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.adapter.write(bytes, (err) => {
        if (err) {
          this.break(err);
          reject(err);
        } else resolve();
      });
    });
  }

  async read(n: number, timeoutMs: number): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.inputLength < n) {
      if (this.broken) throw this.broken;
      const left = deadline - Date.now();
      if (left <= 0) throw new TimeoutError(`no reply from the printer in ${timeoutMs} ms`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.pump(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, left);
          this.wake = resolve;
        }),
      ]);
      clearTimeout(timer);
      this.wake = null;
    }
    const all = Buffer.concat(this.input, this.inputLength);
    this.input = all.length > n ? [all.subarray(n)] : [];
    this.inputLength = all.length - n;
    return all.subarray(0, n);
  }

  /**
   * One bulk IN transfer (up to 64 bytes) at a time: a transfer still running
   * when a read times out is kept, and what it brings counts for the next read.
   */
  private pump(): Promise<void> {
    if (!this.inflight) {
      const ep = this.adapter.deviceToPcEndpoint;
      if (!ep?.transfer) return Promise.reject(new Error('this USB printer has no IN endpoint'));
      this.inflight = new Promise<void>((resolve) => {
        ep.transfer!(64, (err, data) => {
          this.inflight = null;
          if (err) this.break(err);
          else if (data && data.length > 0) {
            this.input.push(Buffer.from(data));
            this.inputLength += data.length;
          }
          resolve();
        });
      });
    }
    return this.inflight;
  }

  discardInput(): void {
    this.input = [];
    this.inputLength = 0;
  }

  /** The device stays open for the next job. */
  async close(): Promise<void> {
    if (this.broken) throw this.broken;
  }
}
