// One receipt description, two outputs: the ESC/POS bytes (checked by decoding
// them with the emulator's decoder) and the on-screen preview, line for line
// the same, on 58 and 80 mm paper.
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import type { PaperWidth, ReceiptDescription } from '../../protocol/devices.ts';
import { EscPosDecoder, type DecodedReceipt, type ImageItem } from '../../tools/printer-emulator/escpos-decoder.ts';
import { parseStatus, qrCode } from '../../server/devices/escpos-commands.ts';
import { encodeReceipt, encodeVoidFragment } from '../../server/devices/receipt-escpos.ts';
import { formatDateTime } from '../../protocol/format.ts';
import {
  FREE_OF_CHARGE,
  PAPER_COLUMNS,
  previewHtml,
  previewLines,
  previewText,
  slipReceipt,
  ticketReceipt,
  wrapText,
  type TicketReceiptInput,
} from '../../server/devices/receipt.ts';
import { demoOffices } from '../../server/seed/demo-offices.ts';

const office = demoOffices()[0]!;
const ktp = office.services.find((s) => s.id === 'ktp-el')!;
const URL_ = 'http://192.168.1.10:3000/t/kupang/2026-11-23/A001';

function input(over: Partial<TicketReceiptInput> = {}): TicketReceiptInput {
  return {
    office,
    service: ktp,
    ticket: { number: 'A001', issuedAt: '2026-11-23T02:05:00.000Z', priority: null },
    peopleAhead: 4,
    etaMinutes: 20,
    trackingUrl: URL_,
    ...over,
  };
}

async function decode(receipt: ReceiptDescription, paper: PaperWidth): Promise<DecodedReceipt> {
  const { body, tail } = await encodeReceipt(receipt, paper);
  const d = new EscPosDecoder();
  d.push(body);
  expect(d.completed).toHaveLength(0); // the cut is in the tail only
  d.push(tail);
  expect(d.completed).toHaveLength(1);
  return d.completed[0]!;
}

describe('ticket receipt', () => {
  for (const paper of [58, 80] as const) {
    it(`prints on ${paper} mm paper what the preview shows, line for line`, async () => {
      const receipt = ticketReceipt(input());
      const printed = await decode(receipt, paper);
      const shown = previewLines(receipt, paper);
      const shownText = shown.flatMap((l) => (l.kind === 'text' ? [l] : []));
      const printedText = printed.lines.filter((l) => l.text !== '');
      expect(printedText.map((l) => [l.text, l.align, l.width, l.bold])).toEqual(
        shownText.filter((l) => l.text !== '').map((l) => [l.text, l.align, l.size, l.bold]),
      );
      // Nothing runs off the paper.
      for (const l of printed.lines) expect(l.text.length * l.width).toBeLessThanOrEqual(PAPER_COLUMNS[paper]);
      expect(printed.qrPayloads).toEqual([URL_]);
      expect(shown.filter((l) => l.kind === 'qr')).toEqual([{ kind: 'qr', data: URL_ }]);
      expect(printed.items.find((i) => i.type === 'qr')).toMatchObject({ model: 2, errorLevel: 'M' });
      expect(printed.cut).toBe(true);
      expect(printed.cutMode).toBe('partial');
    });
  }

  it('has the number 4x, the service, the wait, the date in office time, the fee and complaint lines', async () => {
    const r = await decode(ticketReceipt(input()), 80);
    expect(r.lines.filter((l) => l.width > 1)).toEqual([expect.objectContaining({ text: 'A001', width: 4, height: 4, bold: true, align: 'center' })]);
    expect(r.text).toContain('Perekaman & Pencetakan KTP-el');
    expect(r.text).toContain('Di depan Anda: 4 orang');
    expect(r.text).toContain('Perkiraan waktu tunggu: ± 20 menit');
    expect(r.text).toContain('Senin, 23 November 2026 10.05 WITA');
    expect(r.text).toContain(FREE_OF_CHARGE);
    expect(r.text).toContain('SP4N-LAPOR!');
    expect(r.text).toContain('Standar waktu layanan: 1 jam');
    expect(r.commands).toContainEqual({ type: 'code-page', page: 16 });
  });

  it('prints the wait range promised at issue, worded as the kiosk and the phone word it', async () => {
    const r = await decode(ticketReceipt(input({ wait: { low: 15, high: 25 } })), 80);
    // On paper the dash is the code page's plain one.
    expect(r.text).toContain('Perkiraan waktu tunggu: sekitar 15-25 menit');
    expect(r.text).not.toContain('± 20 menit');
    const long = previewText(ticketReceipt(input({ wait: { low: 80, high: 120 } })), 80);
    expect(long).toMatch(/sekitar 1 jam 20 menit [–-]\s+2 jam/);
  });

  it('says "segera dipanggil" when nobody waits, and shows the priority group', () => {
    const text = previewText(ticketReceipt(input({ peopleAhead: 0, etaMinutes: 0, ticket: { number: 'A002', issuedAt: '2026-11-23T02:05:00Z', priority: 'elderly' } })), 80);
    expect(text).toContain('Perkiraan waktu tunggu: segera dipanggil');
    expect(text).toContain('Prioritas: Lanjut usia');
    expect(text).toContain('A   0   0   2');
  });

  it("marks a checked-in booking's ticket \"Booking\" with its slot's local time, and no other ticket", () => {
    const booked = previewText(ticketReceipt(input({ ticket: { number: 'A003', issuedAt: '2026-12-08T00:40:00Z', priority: null, source: 'booking', bookingSlot: '2026-12-08T01:00:00.000Z' } })), 80);
    expect(booked).toMatch(/Booking 09\.00 WITA/);
    expect(previewText(ticketReceipt(input()), 80)).not.toContain('Booking');
  });

  it('shrinks a number that would not fit at 4x', async () => {
    const r = await decode(ticketReceipt(input({ ticket: { number: 'A12345678', issuedAt: '2026-11-23T02:05:00Z', priority: null } })), 58);
    const big = r.lines.find((l) => l.text === 'A12345678')!;
    expect(big.width).toBe(3);
    expect(big.text.length * big.width).toBeLessThanOrEqual(32);
  });

  it('prints the logo as a raster image above the office name', async () => {
    const png = (await QRCode.toBuffer('logo', { type: 'png', margin: 0, scale: 4 })).toString('base64');
    const r = await decode(ticketReceipt(input({ logoPng: png })), 80);
    const image = r.items[0] as ImageItem;
    expect(image).toMatchObject({ type: 'image', source: 'GS v 0' });
    expect(image.widthDots).toBeGreaterThan(40);
    expect(image.widthDots).toBeLessThanOrEqual(576);
    expect(previewLines(ticketReceipt(input({ logoPng: png })), 80)[0]).toEqual({ kind: 'image', src: `data:image/png;base64,${png}`, alt: 'Dukcapil Kota Kupang' });
  });

  it('formats the time in each Indonesian zone', () => {
    const at = '2026-11-23T02:05:00.000Z';
    expect(formatDateTime(at, 'Asia/Jakarta')).toBe('Senin, 23 November 2026 09.05 WIB');
    expect(formatDateTime(at, 'Asia/Makassar')).toBe('Senin, 23 November 2026 10.05 WITA');
    expect(formatDateTime(at, 'Asia/Jayapura')).toBe('Senin, 23 November 2026 11.05 WIT');
    expect(formatDateTime('2026-11-22T17:30:00Z', 'Asia/Jayapura')).toBe('Senin, 23 November 2026 02.30 WIT');
  });

  it('escapes text in the HTML preview and draws the QR code', () => {
    const evil = { ...office, name: { id: '<script>alert(1)</script> & co', en: 'x' } };
    const html = previewHtml(ticketReceipt(input({ office: evil })), 80);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;SCRIPT&gt;ALERT(1)&lt;/SCRIPT&gt; &amp; CO');
    expect(html).toContain('<svg');
    expect(html).toContain('class="r-center r-s4 r-b">A001</div>');
  });

  it('keeps control characters in configured text from becoming printer commands', async () => {
    const sneaky = { ...office, complaintChannel: { id: 'Pengaduan\x1dV\x00 ke loket', en: '' } };
    const r = await decode(ticketReceipt(input({ office: sneaky })), 80);
    expect(r.items.filter((i) => i.type === 'cut')).toHaveLength(1);
    expect(r.text).toContain('Pengaduan V  ke loket');
  });
});

describe('plain ASCII punctuation', () => {
  // WPC1252 has "—" at 0x97; a printer without that code page prints it from PC437 as "ù".
  const WPC1252_PUNCTUATION = [0x85, 0x91, 0x92, 0x93, 0x94, 0x96, 0x97];

  it('prints a dash as "-" (0x2D), in our own text and in configured names, on paper and in the preview', async () => {
    const dashed = { ...office, complaintChannel: { id: 'Pengaduan – SP4N-LAPOR! “cepat”…', en: '' } };
    const hilang = { name: { id: 'Hilang — rusak', en: '' } };
    for (const receipt of [
      ticketReceipt(input({ office: dashed })),
      slipReceipt({ office: dashed, service: ktp, subcase: hilang, missing: ['Surat ‘kehilangan’'], at: '2026-11-23T02:05:00Z' }),
    ]) {
      const { body } = await encodeReceipt(receipt, 80);
      for (const byte of WPC1252_PUNCTUATION) expect(body.includes(byte), `byte 0x${byte.toString(16)}`).toBe(false);
      expect(body.includes(Buffer.from('GRATIS - tidak dipungut biaya', 'latin1'))).toBe(true);
      expect(body.includes(Buffer.from('Pengaduan - SP4N-LAPOR! "cepat"...', 'latin1'))).toBe(true);
      expect(previewText(receipt, 80)).not.toMatch(/[\u2010-\u2015\u2018-\u201d\u2026]/);
    }
    const { body } = await encodeReceipt(slipReceipt({ office, service: ktp, subcase: hilang, missing: [], at: '2026-11-23T02:05:00Z' }), 80);
    expect(body.includes(Buffer.from('Perekaman & Pencetakan KTP-el - Hilang - rusak', 'latin1'))).toBe(true);
  });

  it('prints the cut-off note with an ASCII dash too', async () => {
    const bytes = await encodeVoidFragment(80);
    expect(bytes.includes(0x97)).toBe(false);
    expect(bytes.includes(Buffer.from('CETAKAN TERPUTUS - ABAIKAN POTONGAN INI', 'latin1'))).toBe(true);
  });
});

describe('"what to bring" slip', () => {
  it('lists the missing items, through the same layout and encoder', async () => {
    const hilang = ktp.subcases.find((s) => s.id === 'hilang')!;
    const slip = slipReceipt({ office, service: ktp, subcase: hilang, missing: ['Kartu Keluarga (KK)', 'Surat keterangan kehilangan dari kepolisian'], at: '2026-11-23T02:05:00Z' });
    for (const paper of [58, 80] as const) {
      const r = await decode(slip, paper);
      const flat = r.text.replace(/\s+/g, ' ');
      expect(flat).toContain('YANG PERLU DIBAWA');
      expect(flat).toContain('[ ] Surat keterangan kehilangan dari kepolisian');
      expect(r.text).toContain('[ ] Kartu Keluarga (KK)');
      expect(flat).toContain(FREE_OF_CHARGE);
      expect(r.qrPayloads).toEqual([]);
      expect(previewText(slip, paper).split('\n').filter((l) => l.trim() !== '').length).toBeGreaterThan(8);
    }
  });
});

describe('layout helpers', () => {
  it('wraps at spaces, and long URLs after a slash', () => {
    expect(wrapText('Layanan ini GRATIS — tidak dipungut biaya', 20)).toEqual(['Layanan ini GRATIS —', 'tidak dipungut biaya']);
    expect(wrapText(URL_, 32)).toEqual(['http://192.168.1.10:3000/t/', 'kupang/2026-11-23/A001']);
    expect(wrapText('x'.repeat(10), 4)).toEqual(['xxxx', 'xxxx', 'xx']);
  });
});

describe('hand-written ESC/POS', () => {
  it('QR code: GS ( k functions 165, 167, 169, 180, 181 with the payload', () => {
    const d = new EscPosDecoder();
    d.push(qrCode(URL_, { moduleSize: 5, errorLevel: 'Q' }));
    d.push(Buffer.of(0x1d, 0x56, 0x00));
    expect(d.completed[0]!.items[0]).toEqual({ type: 'qr', payload: URL_, model: 2, size: 5, errorLevel: 'Q' });
    expect(() => qrCode('')).toThrow(RangeError);
  });

  it('DLE EOT replies: healthy, paper out, cover open, near end, garbage', () => {
    expect(parseStatus([0x12, 0x12, 0x12, 0x12])).toMatchObject({ paperOut: false, coverOpen: false, offline: false, error: false, paperNearEnd: false });
    expect(parseStatus([0x1a, 0x32, 0x12, 0x72])).toMatchObject({ paperOut: true, offline: true });
    expect(parseStatus([0x1a, 0x16, 0x12, 0x12])).toMatchObject({ coverOpen: true, paperOut: false });
    expect(parseStatus([0x12, 0x12, 0x12, 0x1e])).toMatchObject({ paperNearEnd: true, paperOut: false });
    expect(parseStatus([0x1a, 0x52, 0x1a, 0x12])).toMatchObject({ error: true });
    expect(parseStatus([0x41, 0x30, 0x30, 0x31])).toBeNull();
    expect(parseStatus([0x12, 0x12])).toBeNull();
  });
});
