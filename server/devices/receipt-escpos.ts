// Turns a laid-out receipt into ESC/POS bytes with @node-escpos/core's
// Printer, writing into a buffer adapter instead of a device: the bytes are
// made once per job and paper width, and the transport (TCP, USB, an agent)
// sends them with its own status checks and retries. QR codes come from
// escpos-commands.ts (the library has no Epson QR command).
//
// A job is split in two: the body (everything on paper) and the tail (feed and
// cut). The printer code confirms the body before sending the tail, so a job
// interrupted after its body can be finished by resending the tail alone.
import { Adapter } from '@node-escpos/adapter';
import type { Image, Printer } from '@node-escpos/core';
import type { PaperWidth, ReceiptDescription } from '../../protocol/devices.ts';
import { qrCode } from './escpos-commands.ts';
import { PAPER_COLUMNS, PAPER_DOTS, layoutReceipt } from './receipt.ts';

/** WPC1252 (ESC t 16): Latin letters plus "±", which Indonesian receipts use (dashes are printed as ASCII "-": layoutReceipt). */
const CODE_PAGE_WPC1252 = 16;
const ENCODING = 'windows-1252';
/** Lines fed before the cut: the distance from the print head to the cutter on TM-T20/T82-class printers. */
const FEED_BEFORE_CUT = 4;

export interface EncodedReceipt {
  /** ESC @ … all printed content. */
  body: Buffer;
  /** Feed and partial cut. */
  tail: Buffer;
}

// @node-escpos/core (with its image decoder's dependencies) takes longer to load than the
// rest of the server: loaded at the first receipt, not at start (a restart answers sooner).
let core: Promise<typeof import('@node-escpos/core')> | null = null;
const escpos = () => (core ??= import('@node-escpos/core'));

/** An @node-escpos adapter that keeps what the Printer flushes. */
class BufferAdapter extends Adapter<[]> {
  private chunks: Buffer[] = [];
  open(callback?: (error: Error | null) => void): this {
    callback?.(null);
    return this;
  }
  write(data: Buffer | string, callback?: (error: Error | null) => void): this {
    this.chunks.push(typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data));
    callback?.(null);
    return this;
  }
  close(callback?: (error: Error | null) => void): this {
    callback?.(null);
    return this;
  }
  read(): void {}
  take(): Buffer {
    const out = Buffer.concat(this.chunks);
    this.chunks = [];
    return out;
  }
}

async function newPrinter(paper: PaperWidth): Promise<{ printer: Printer<[]>; adapter: BufferAdapter; command: (typeof import('@node-escpos/core'))['command'] }> {
  const { Printer, command } = await escpos();
  const adapter = new BufferAdapter();
  const printer = new Printer<[]>(adapter, { encoding: ENCODING, width: PAPER_COLUMNS[paper] });
  return { printer, adapter, command };
}

async function drain(printer: Printer<[]>, adapter: BufferAdapter): Promise<Buffer> {
  await printer.flush();
  return adapter.take();
}

/** Control characters in configured text must not become printer commands. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

const images = new Map<string, Promise<Image | null>>();

/** Decodes a base64 PNG once (the logo is the same on every receipt); null when unreadable. */
function loadImage(png: string): Promise<Image | null> {
  let p = images.get(png);
  if (!p) {
    p = escpos()
      .then(({ Image }) => Image.load(Buffer.from(png, 'base64'), 'image/png'))
      .catch(() => null);
    images.set(png, p);
    if (images.size > 16) images.delete(images.keys().next().value!);
  }
  return p;
}

export async function encodeReceipt(receipt: ReceiptDescription, paper: PaperWidth): Promise<EncodedReceipt> {
  const { printer, adapter, command } = await newPrinter(paper);
  printer.hardware('init').setCharacterCodeTable(CODE_PAGE_WPC1252);
  for (const line of layoutReceipt(receipt, paper)) {
    switch (line.type) {
      case 'text':
        printer
          .align(line.align === 'center' ? 'ct' : line.align === 'right' ? 'rt' : 'lt')
          .print(line.bold ? command.TEXT_FORMAT.TXT_BOLD_ON : command.TEXT_FORMAT.TXT_BOLD_OFF)
          .size(line.size, line.size)
          .text(printable(line.text), ENCODING);
        break;
      case 'qr':
        printer.align('ct').size(1, 1).raw(qrCode(line.data, { moduleSize: line.moduleSize, errorLevel: 'M' })).feed(1);
        break;
      case 'image': {
        const img = await loadImage(line.png);
        // A logo wider than the paper would wrap into garbage: leave it out.
        if (img && img.size.width <= PAPER_DOTS[paper]) printer.align('ct').raster(img).feed(1);
        break;
      }
      case 'feed':
        printer.feed(line.lines);
        break;
    }
  }
  printer.size(1, 1).print(command.TEXT_FORMAT.TXT_BOLD_OFF).align('lt');
  const body = await drain(printer, adapter);
  printer.cut(true, FEED_BEFORE_CUT);
  const tail = await drain(printer, adapter);
  return { body, tail };
}

/**
 * Sent before reprinting a job whose earlier attempt was cut off mid-body: it
 * ends whatever part of the receipt the printer got with a note and a cut, so
 * the fragment comes off as a separate piece and is not taken for a ticket.
 */
export async function encodeVoidFragment(paper: PaperWidth): Promise<Buffer> {
  const { printer, adapter, command } = await newPrinter(paper);
  printer
    .hardware('init')
    .setCharacterCodeTable(CODE_PAGE_WPC1252)
    .feed(1)
    .align('ct')
    .print(command.TEXT_FORMAT.TXT_BOLD_ON)
    .text('CETAKAN TERPUTUS - ABAIKAN POTONGAN INI', ENCODING)
    .print(command.TEXT_FORMAT.TXT_BOLD_OFF)
    .cut(true, FEED_BEFORE_CUT);
  return drain(printer, adapter);
}
