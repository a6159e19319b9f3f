// The ESC/POS printer emulator, driven over real TCP sockets. Byte sequences are
// written out here by hand from the Epson ESC/POS command reference, not with
// any encoder of ours, so the decoder is checked against the spec.
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EscPosDecoder, type BarcodeItem, type DecodedReceipt, type ImageItem, type QrItem } from '../../tools/printer-emulator/escpos-decoder.ts';
import { PrinterEmulator } from '../../tools/printer-emulator/printer-emulator.ts';

// ---------------------------------------------------------------- bytes

const ESC = 0x1b;
const GS = 0x1d;
const DLE = 0x10;
const EOT = 0x04;
const LF = 0x0a;

/** A tiny hand-written ESC/POS byte builder (spec byte values, no project code). */
class Job {
  private readonly bytes: number[] = [];
  raw(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  text(s: string): this {
    this.bytes.push(...Buffer.from(s, 'latin1'));
    return this;
  }
  line(s: string): this {
    return this.text(s).raw(LF);
  }
  init(): this {
    return this.raw(ESC, 0x40); // ESC @
  }
  bold(on: boolean): this {
    return this.raw(ESC, 0x45, on ? 1 : 0); // ESC E n
  }
  printMode(n: number): this {
    return this.raw(ESC, 0x21, n); // ESC ! n
  }
  align(n: 0 | 1 | 2): this {
    return this.raw(ESC, 0x61, n); // ESC a n
  }
  size(n: number): this {
    return this.raw(GS, 0x21, n); // GS ! n
  }
  feed(n: number): this {
    return this.raw(ESC, 0x64, n); // ESC d n
  }
  cut(m = 0): this {
    return this.raw(GS, 0x56, m); // GS V m
  }
  cutFeed(m: 65 | 66, n: number): this {
    return this.raw(GS, 0x56, m, n); // GS V m n
  }
  /** GS ( k pL pH cn fn [params] */
  gsk(cn: number, fn: number, ...params: number[]): this {
    const len = params.length + 2;
    return this.raw(GS, 0x28, 0x6b, len & 0xff, len >> 8, cn, fn, ...params);
  }
  qr(payload: string, size = 6, level = 49): this {
    const data = [...Buffer.from(payload, 'utf8')];
    return this.gsk(49, 65, 50, 0) // function 165: model 2
      .gsk(49, 67, size) // function 167: module size
      .gsk(49, 69, level) // function 169: error correction (48 L, 49 M, 50 Q, 51 H)
      .gsk(49, 80, 48, ...data) // function 180: store
      .gsk(49, 81, 48); // function 181: print
  }
  /** GS k m n d1..dn (form B) */
  barcodeB(m: number, data: string): this {
    const d = [...Buffer.from(data, 'latin1')];
    return this.raw(GS, 0x6b, m, d.length, ...d);
  }
  /** GS k m d1..dk NUL (form A) */
  barcodeA(m: number, data: string): this {
    return this.raw(GS, 0x6b, m, ...Buffer.from(data, 'latin1'), 0x00);
  }
  /** GS v 0 m xL xH yL yH d1..dk, filled with `fill(i)`. */
  raster(widthBytes: number, height: number, fill: (i: number) => number): this {
    this.raw(GS, 0x76, 0x30, 0, widthBytes & 0xff, widthBytes >> 8, height & 0xff, height >> 8);
    for (let i = 0; i < widthBytes * height; i++) this.bytes.push(fill(i) & 0xff);
    return this;
  }
  status(n: number): this {
    return this.raw(DLE, EOT, n); // DLE EOT n
  }
  build(): Buffer {
    return Buffer.from(this.bytes);
  }
}

const job = (): Job => new Job();

// ---------------------------------------------------------------- sockets

interface Client {
  socket: net.Socket;
  received: number[];
  write(data: Uint8Array): Promise<void>;
  /** Waits until at least `n` bytes have come back from the printer. */
  read(n: number, timeoutMs?: number): Promise<number[]>;
  /** Half-closes and waits for the printer to close its side. */
  close(): Promise<void>;
}

async function connect(port: number): Promise<Client> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  socket.setNoDelay(true);
  const received: number[] = [];
  let waiter: (() => void) | null = null;
  socket.on('data', (d: Buffer) => {
    received.push(...d);
    waiter?.();
  });
  socket.on('error', () => {});
  await once(socket, 'connect');
  const closed = once(socket, 'close');
  return {
    socket,
    received,
    write: (data) => new Promise<void>((resolve, reject) => socket.write(data, (err) => (err ? reject(err) : resolve()))),
    read: (n, timeoutMs = 2000) =>
      new Promise<number[]>((resolve, reject) => {
        const check = (): void => {
          if (received.length >= n) {
            clearTimeout(timer);
            waiter = null;
            resolve(received.slice(0, n));
          }
        };
        const timer = setTimeout(() => {
          waiter = null;
          reject(new Error(`expected ${n} bytes, got ${received.length}: ${received.join(',')}`));
        }, timeoutMs);
        waiter = check;
        check();
      }),
    close: async () => {
      socket.end();
      await closed;
    },
  };
}

/** Sends one job on its own connection and waits until the printer has taken it all. */
async function send(port: number, data: Uint8Array): Promise<void> {
  const c = await connect(port);
  await c.write(data);
  await c.close();
}

/** Resolves once the emulator has received `total` bytes in all. */
function receivedBytes(emu: PrinterEmulator, total: number): Promise<void> {
  if (emu.bytesReceived >= total) return Promise.resolve();
  return new Promise((resolve) => {
    const on = (): void => {
      if (emu.bytesReceived >= total) {
        emu.off('data', on);
        resolve();
      }
    };
    emu.on('data', on);
  });
}

// ---------------------------------------------------------------- tests

let emu: PrinterEmulator;
let port: number;

beforeEach(async () => {
  emu = new PrinterEmulator();
  ({ port } = await emu.start(0, '127.0.0.1'));
});

afterEach(async () => {
  await emu.stop();
});

const TICKET_URL = 'http://127.0.0.1:3000/t/kupang/2026-11-23/A001';

/** A queue ticket as the real printing code might send it. */
function ticket(number = 'A001'): Job {
  return job()
    .init()
    .align(1)
    .bold(true)
    .line('DUKCAPIL KOTA KUPANG')
    .bold(false)
    .line('Nomor antrean Anda')
    .size(0x33)
    .line(number)
    .size(0x00)
    .qr(TICKET_URL)
    .align(0)
    .line('Layanan: KTP-el')
    .feed(3)
    .cutFeed(66, 0);
}

describe('printer emulator: decoding over TCP', () => {
  it('decodes a queue ticket: alignment, bold, 4x4 number, QR, cut', async () => {
    await send(port, ticket().build());
    const [r] = await emu.waitForReceipts(1);
    expect(r).toBeDefined();
    const receipt = r!;
    expect(receipt.text).toBe('DUKCAPIL KOTA KUPANG\nNomor antrean Anda\nA001\nLayanan: KTP-el');
    expect(receipt.cut).toBe(true);
    expect(receipt.cutMode).toBe('partial');

    const [title, label, num, service] = receipt.lines;
    expect(title).toMatchObject({ text: 'DUKCAPIL KOTA KUPANG', bold: true, align: 'center', width: 1, height: 1 });
    expect(label).toMatchObject({ text: 'Nomor antrean Anda', bold: false, align: 'center' });
    expect(num).toMatchObject({ text: 'A001', width: 4, height: 4, align: 'center' });
    expect(service).toMatchObject({ text: 'Layanan: KTP-el', align: 'left', width: 1, height: 1 });
    expect(receipt.maxTextSize).toBeGreaterThanOrEqual(2);
    expect(receipt.maxTextSize).toBe(4);

    expect(receipt.qrPayloads).toEqual([TICKET_URL]);
    const qr = receipt.items.find((i): i is QrItem => i.type === 'qr');
    expect(qr).toEqual({ type: 'qr', payload: TICKET_URL, model: 2, size: 6, errorLevel: 'M' });
    // Functions 165, 167, 169, 180, 181 were all seen, in order.
    const fns = receipt.commands.flatMap((c) => (c.type === 'qr' ? [c.function] : []));
    expect(fns).toEqual([165, 167, 169, 180, 181]);

    expect(receipt.items.map((i) => i.type)).toEqual(['text', 'text', 'text', 'qr', 'text', 'feed', 'cut']);
    expect(receipt.items.at(-1)).toEqual({ type: 'cut', mode: 'partial', m: 66, feed: 0 });
    expect(receipt.firstByteAt).toBeTypeOf('number');
    expect(receipt.completedAt).toBeGreaterThanOrEqual(receipt.firstByteAt);
    expect(receipt.byteLength).toBe(ticket().build().length);
  });

  it('ESC ! bold / double width / double height / underline and ESC @ reset', async () => {
    const data = job()
      .printMode(0x08 | 0x10 | 0x20) // emphasized + double height + double width
      .line('BESAR')
      .printMode(0x80 | 0x01) // underline, font B
      .line('kecil')
      .init()
      .line('normal')
      .raw(ESC, 0x2d, 2) // ESC - 2
      .raw(GS, 0x42, 1) // GS B 1
      .raw(ESC, 0x4d, 1) // ESC M 1
      .line('inv')
      .cut(1)
      .build();
    await send(port, data);
    const [r] = await emu.waitForReceipts(1);
    const lines = r!.lines;
    expect(lines[0]).toMatchObject({ text: 'BESAR', bold: true, width: 2, height: 2, underline: 0, font: 'A' });
    expect(lines[1]).toMatchObject({ text: 'kecil', bold: false, width: 1, height: 1, underline: 1, font: 'B' });
    expect(lines[2]).toMatchObject({ text: 'normal', bold: false, width: 1, height: 1, underline: 0, font: 'A', invert: false });
    expect(lines[3]).toMatchObject({ text: 'inv', underline: 2, invert: true, font: 'B' });
    expect(r!.maxTextSize).toBe(2);
    expect(r!.cutMode).toBe('partial');
  });

  it('keeps attribute runs within a line and alignment per line', async () => {
    const data = job()
      .align(2)
      .text('Loket: ')
      .bold(true)
      .text('3')
      .bold(false)
      .raw(LF)
      .align(1)
      .line('tengah')
      .cut()
      .build();
    await send(port, data);
    const [r] = await emu.waitForReceipts(1);
    const [first, second] = r!.lines;
    expect(first!.text).toBe('Loket: 3');
    expect(first!.align).toBe('right');
    expect(first!.segments).toEqual([
      { text: 'Loket: ', style: expect.objectContaining({ bold: false }) },
      { text: '3', style: expect.objectContaining({ bold: true }) },
    ]);
    expect(second).toMatchObject({ text: 'tengah', align: 'center' });
  });

  it('decodes CODE128 (form B) and CODE39 (form A) barcodes with GS h / GS w / GS H', async () => {
    const data = job()
      .raw(GS, 0x68, 80) // GS h 80
      .raw(GS, 0x77, 2) // GS w 2
      .raw(GS, 0x48, 2) // GS H 2: HRI below
      .barcodeB(73, '{BA001')
      .barcodeA(4, 'A001')
      .line('after')
      .cut()
      .build();
    await send(port, data);
    const [r] = await emu.waitForReceipts(1);
    const codes = r!.items.filter((i): i is BarcodeItem => i.type === 'barcode');
    expect(codes).toEqual([
      { type: 'barcode', symbology: 'CODE128', form: 'B', data: '{BA001', text: 'A001', height: 80, moduleWidth: 2, hri: 'below' },
      { type: 'barcode', symbology: 'CODE39', form: 'A', data: 'A001', text: 'A001', height: 80, moduleWidth: 2, hri: 'below' },
    ]);
    expect(r!.text).toBe('after');
  });

  it('skips GS v 0 raster data (even bytes that look like commands) and ESC * bit images', async () => {
    // Image data full of LF, ESC, GS and DLE EOT look-alikes.
    const nasty = [LF, ESC, 0x40, GS, 0x56, 0x00, DLE, EOT, 0x01];
    const data = job()
      .line('sebelum')
      .raster(48, 40, (i) => nasty[i % nasty.length]!) // 384 x 40 dots
      .raw(ESC, 0x2a, 33, 4, 0, ...new Array<number>(12).fill(GS)) // ESC * 33: 4 columns x 3 bytes
      .raw(LF)
      .line('sesudah')
      .cut()
      .build();
    await send(port, data);
    const [r] = await emu.waitForReceipts(1);
    expect(emu.receipts).toHaveLength(1);
    const images = r!.items.filter((i): i is ImageItem => i.type === 'image');
    expect(images).toEqual([
      { type: 'image', source: 'GS v 0', widthDots: 384, heightDots: 40, dataBytes: 48 * 40 },
      { type: 'image', source: 'ESC *', widthDots: 4, heightDots: 24, dataBytes: 12 },
    ]);
    expect(r!.lines.map((l) => l.text)).toEqual(['sebelum', '', 'sesudah']);
    expect(r!.commands.some((c) => c.type === 'unknown')).toBe(false);
  });

  it('splits receipts at every cut form; text after the last cut is an open receipt', async () => {
    const data = job()
      .line('satu')
      .cut(0)
      .line('dua')
      .cut(49)
      .line('tiga')
      .cutFeed(65, 5)
      .line('empat')
      .raw(ESC, 0x69) // ESC i (legacy partial cut)
      .line('terbuka')
      .build();
    await send(port, data);
    const rs = emu.receipts;
    expect(rs.map((r) => r.text)).toEqual(['satu', 'dua', 'tiga', 'empat']);
    expect(rs.map((r) => r.cutMode)).toEqual(['full', 'partial', 'full', 'partial']);
    expect(rs[2]!.items.at(-1)).toEqual({ type: 'cut', mode: 'full', m: 65, feed: 5 });
    expect(rs.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    const all = emu.allReceipts;
    expect(all).toHaveLength(5);
    expect(all[4]).toMatchObject({ text: 'terbuka', cut: false, completedAt: null });
  });

  it('decodes a command split across two TCP writes', async () => {
    // GS ! 0x33 split after GS !, QR store split in the middle of its payload.
    const whole = job().size(0x33).line('A001').size(0).qr(TICKET_URL).cut().build();
    const splitAt = [2, 40];
    let from = 0;
    const c = await connect(port);
    for (const at of [...splitAt, whole.length]) {
      await c.write(whole.subarray(from, at));
      await receivedBytes(emu, at);
      if (at === 2) expect(emu.decoder.midCommand).toBe(true);
      from = at;
    }
    await c.close();
    const [r] = await emu.waitForReceipts(1);
    expect(r!.lines[0]).toMatchObject({ text: 'A001', width: 4, height: 4 });
    expect(r!.qrPayloads).toEqual([TICKET_URL]);
  });

  it('an unknown sequence is recorded and later text still decodes', async () => {
    const data = job()
      .line('awal')
      .raw(ESC, 0x79, 0x03) // ESC y 3: not an ESC/POS command
      .raw(GS, 0x7e) // GS ~: not a command either
      .line('akhir')
      .cut()
      .build();
    await send(port, data);
    const [r] = await emu.waitForReceipts(1);
    expect(r!.text).toBe('awal\nakhir');
    const unknown = r!.commands.filter((c) => c.type === 'unknown');
    expect(unknown).toEqual([
      { type: 'unknown', bytes: [ESC, 0x79, 0x03] },
      { type: 'unknown', bytes: [GS, 0x7e] },
    ]);
  });

  it('records ESC p and DLE DC4 drawer pulses, code page and margins', async () => {
    const data = job()
      .raw(ESC, 0x74, 0) // ESC t 0: PC437
      .raw(GS, 0x4c, 16, 0) // GS L 16
      .raw(GS, 0x57, 0x40, 0x02) // GS W 576
      .raw(ESC, 0x33, 40) // ESC 3 40
      .raw(ESC, 0x32) // ESC 2
      .text('Biaya: ').raw(0x9c).line(' 0') // CP437 0x9C is the pound sign
      .raw(ESC, 0x70, 0, 25, 250) // ESC p 0 25 250
      .raw(DLE, 0x14, 1, 1, 2) // DLE DC4 1 1 2
      .cut()
      .build();
    await send(port, data);
    const [r] = await emu.waitForReceipts(1);
    expect(r!.text).toBe('Biaya: £ 0');
    expect(r!.items.filter((i) => i.type === 'drawer')).toEqual([
      { type: 'drawer', via: 'ESC p', pin: 2, onMs: 50, offMs: 500 },
      { type: 'drawer', via: 'DLE DC4', pin: 5, onMs: 200, offMs: 200 },
    ]);
    expect(r!.commands).toEqual(
      expect.arrayContaining([
        { type: 'code-page', page: 0 },
        { type: 'left-margin', dots: 16 },
        { type: 'print-area-width', dots: 576 },
        { type: 'line-spacing', dots: 40 },
        { type: 'line-spacing', dots: 'default' },
      ]),
    );
  });

  it('sequential connections add to the same receipt list', async () => {
    await send(port, ticket('A001').build());
    await send(port, ticket('A002').build());
    await send(port, ticket('A003').build());
    const rs = await emu.waitForReceipts(3);
    expect(rs.map((r) => r.lines[2]!.text)).toEqual(['A001', 'A002', 'A003']);
    expect(emu.connectionsAccepted).toBe(3);
    expect(rs[0]!.firstByteAt).toBeLessThanOrEqual(rs[1]!.firstByteAt);
  });

  it('a connection dropped mid-command does not swallow the next job', async () => {
    const first = job().line('terputus').raster(10, 10, () => 0).build();
    emu.dropNextConnectionAfter(first.length - 50); // inside the raster data
    const c = await connect(port);
    await c.write(first).catch(() => {});
    await once(c.socket, 'close');
    await send(port, job().init().line('berikutnya').cut().build());
    const [r] = await emu.waitForReceipts(1);
    expect(r!.lines.map((l) => l.text)).toEqual(['terputus', 'berikutnya']);
  });
});

describe('printer emulator: status', () => {
  async function askAll(): Promise<number[]> {
    const c = await connect(port);
    await c.write(job().status(1).status(2).status(3).status(4).build());
    const bytes = await c.read(4);
    await c.close();
    return bytes;
  }

  it('answers DLE EOT 1..4 for a healthy printer with the fixed bits only', async () => {
    expect(await askAll()).toEqual([0x12, 0x12, 0x12, 0x12]);
    // Status queries are not printed and open no receipt.
    expect(emu.allReceipts).toEqual([]);
  });

  it('answers DLE EOT 1..4 when out of paper', async () => {
    emu.setPaperOut(true);
    // 1: offline (bit3); 2: stopped by paper end (bit5); 3: no error; 4: paper end (bits 5,6).
    expect(await askAll()).toEqual([0x1a, 0x32, 0x12, 0x72]);
    emu.setPaperNearEnd(true);
    expect((await askAll())[3]).toBe(0x7e);
  });

  it('answers DLE EOT 1..4 when the cover is open, offline, or in error', async () => {
    emu.setCoverOpen(true);
    expect(await askAll()).toEqual([0x1a, 0x16, 0x12, 0x12]);
    emu.setCoverOpen(false);
    emu.setOffline(true);
    expect(await askAll()).toEqual([0x1a, 0x12, 0x12, 0x12]);
    emu.setOffline(false);
    emu.setError('autocutter');
    expect(await askAll()).toEqual([0x1a, 0x52, 0x1a, 0x12]);
    emu.setError(null);
    emu.setPaperNearEnd(true);
    emu.setDrawerOpen(true);
    expect(await askAll()).toEqual([0x16, 0x12, 0x12, 0x1e]);
  });

  it('answers a DLE EOT split across two writes', async () => {
    const c = await connect(port);
    await c.write(Buffer.of(DLE, EOT));
    await receivedBytes(emu, 2);
    await c.write(Buffer.of(4));
    expect(await c.read(1)).toEqual([0x12]);
    await c.close();
  });

  it('discards bytes while out of paper but still answers status, then prints again', async () => {
    emu.setPaperOut(true);
    const c = await connect(port);
    const data = job().init().line('tidak tercetak').cut().status(4).build();
    await c.write(data.subarray(0, data.length - 2)); // split the DLE EOT 4 across writes too
    await receivedBytes(emu, data.length - 2);
    await c.write(data.subarray(data.length - 2));
    expect(await c.read(1)).toEqual([0x72]);
    await c.close();
    expect(emu.rejectedWhilePaperOut).toBe(data.length);
    expect(emu.allReceipts).toEqual([]);
    expect(emu.bytesReceived).toBe(data.length);

    emu.setPaperOut(false);
    await send(port, job().init().line('tercetak').cut().build());
    const [r] = await emu.waitForReceipts(1);
    expect(r!.text).toBe('tercetak');
    expect(emu.receipts).toHaveLength(1);
  });

  it('holds data while the cover is open and prints it when closed', async () => {
    emu.setCoverOpen(true);
    await send(port, job().line('menunggu').cut().build());
    expect(emu.receipts).toHaveLength(0);
    expect(emu.heldBytes).toBeGreaterThan(0);
    emu.setCoverOpen(false);
    expect(emu.receipts.map((r) => r.text)).toEqual(['menunggu']);
    expect(emu.heldBytes).toBe(0);
  });

  it('answers GS r 1 / GS r 2 and sends Automatic Status Back after GS a', async () => {
    const c = await connect(port);
    await c.write(Buffer.of(GS, 0x72, 1, GS, 0x72, 50));
    expect(await c.read(2)).toEqual([0x00, 0x00]);
    await c.write(Buffer.of(GS, 0x61, 0x0f)); // GS a 15: all ASB items
    expect((await c.read(6)).slice(2)).toEqual([0x10, 0x00, 0x00, 0x00]);
    emu.setCoverOpen(true);
    expect((await c.read(10)).slice(6)).toEqual([0x10 | 0x08 | 0x20, 0x00, 0x00, 0x00]);
    emu.setCoverOpen(false);
    emu.setPaperOut(true);
    expect((await c.read(14)).slice(10)).toEqual([0x10, 0x00, 0x00, 0x00]);
    expect((await c.read(18)).slice(14)).toEqual([0x10 | 0x08, 0x00, 0x0c, 0x00]);
    await c.close();
  });
});

describe('printer emulator: connection failures', () => {
  it('dropNextConnectionAfter destroys the socket after that many bytes', async () => {
    const data = job().line('0123456789').line('terpotong').cut().build();
    emu.dropNextConnectionAfter(11); // '0123456789' + LF
    const c = await connect(port);
    const closed = once(c.socket, 'close');
    await c.write(data).catch(() => {});
    await closed;
    expect(c.socket.destroyed).toBe(true);
    expect(emu.bytesReceived).toBe(11);
    expect(emu.receipts).toHaveLength(0);
    expect(emu.openReceipt?.text).toBe('0123456789');

    // Only the next connection is affected.
    await send(port, job().line('utuh').cut().build());
    const [r] = await emu.waitForReceipts(1);
    expect(r!.text).toBe('0123456789\nutuh');
  });

  it('refuseConnections makes connecting fail until switched off', async () => {
    await emu.refuseConnections(true);
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      s.on('error', resolve);
      s.on('connect', () => resolve(Object.assign(new Error('connected'), { code: 'CONNECTED' })));
    });
    expect(err.code).toBe('ECONNREFUSED');
    await emu.refuseConnections(false);
    await send(port, job().line('lagi').cut().build());
    expect((await emu.waitForReceipts(1))[0]!.text).toBe('lagi');
  });

  it("refuseConnections(true, 'reset') accepts and resets", async () => {
    await emu.refuseConnections(true, 'reset');
    const s = net.connect({ port, host: '127.0.0.1' });
    const outcome = await new Promise<string>((resolve) => {
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      s.on('close', () => resolve('closed'));
    });
    expect(['ECONNRESET', 'closed']).toContain(outcome);
    expect(emu.connectionsAccepted).toBe(0);
  });

  it('serves one connection at a time: a second job waits for the first', async () => {
    const a = await connect(port);
    const b = await connect(port);
    await b.write(job().line('kedua').cut().build());
    await a.write(job().line('pertama').build());
    await receivedBytes(emu, 'pertama\n'.length);
    await a.write(job().cut().build());
    await a.close();
    await b.close();
    const rs = await emu.waitForReceipts(2);
    expect(rs.map((r) => r.text)).toEqual(['pertama', 'kedua']);
  });
});

describe('EscPosDecoder: chunking', () => {
  const sample = ticket('B017')
    .raster(3, 5, (i) => (i * 37) & 0xff)
    .barcodeB(73, '{BB017')
    .raw(ESC, 0x79, 0x03)
    .status(1)
    .raw(ESC, 0x26, 3, 65, 66, 1, 0x0a, 0x1b, 0x1d, 2, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a) // ESC & 3 'A' 'B'
    // GS ( L function 112: store a 16 x 2 dot raster; function 50: print it.
    .raw(GS, 0x28, 0x4c, 14, 0, 48, 112, 48, 1, 1, 49, 16, 0, 2, 0, 0x0a, 0x1b, 0x1d, 0x00)
    .raw(GS, 0x28, 0x4c, 2, 0, 48, 50)
    .line('akhir')
    .cut(0)
    .line('buka')
    .build();

  const decodeChunks = (chunks: Buffer[]): { receipts: DecodedReceipt[]; status: number } => {
    let status = 0;
    const d = new EscPosDecoder({ now: () => 0, onStatusRequest: () => status++ });
    for (const c of chunks) d.push(c);
    return { receipts: d.result, status };
  };

  it('decodes the same whatever the chunk boundaries', () => {
    const whole = decodeChunks([sample]);
    expect(whole.status).toBe(1);
    expect(whole.receipts).toHaveLength(3);
    expect(whole.receipts[0]!.lines[2]!.text).toBe('B017');
    expect(whole.receipts[1]!.text).toBe('akhir');
    expect(whole.receipts[1]!.items.filter((i) => i.type === 'image')).toEqual([
      { type: 'image', source: 'GS v 0', widthDots: 24, heightDots: 5, dataBytes: 15 },
      { type: 'image', source: 'GS ( L', widthDots: 16, heightDots: 2, dataBytes: 4 },
    ]);
    expect(whole.receipts[1]!.commands.filter((c) => c.type === 'unknown')).toHaveLength(1);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: sample.length - 1 }), { maxLength: 30 }), (cuts) => {
        const points = [0, ...cuts.sort((x, y) => x - y), sample.length];
        const chunks = points.slice(1).map((end, k) => sample.subarray(points[k]!, end));
        expect(decodeChunks(chunks)).toEqual(whole);
      }),
      { numRuns: 200 },
    );
    // One byte at a time.
    expect(decodeChunks([...sample].map((b) => Buffer.of(b)))).toEqual(whole);
  });
});
