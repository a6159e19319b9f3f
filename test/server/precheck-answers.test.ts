// The server evaluates the kiosk's pre-check answers again with the same rule
// (protocol/rules.ts evaluatePrecheck): a "passed" they do not give is
// refused and nothing changes; staff see which alternative was brought and
// how the question was answered. The "what to bring" slip names an item with
// its alternatives ("… atau KK yang rusak").
import { describe, expect, it } from 'vitest';
import type { Ack } from '../../protocol/errors.ts';
import type { QueueSnapshot } from '../../protocol/model.ts';
import { FAST_PRINTING, usePrinterRig } from '../helpers/printer-rig.ts';
import { emitAck, login, okData, request } from '../helpers/server.ts';
import { until } from '../helpers/until.ts';
import { devicesOf } from '../../server/devices/index.ts';

const rig = usePrinterRig();
const OFFICE = '/api/v1/offices/kupang';

async function start() {
  const server = await rig.start({ printer: `tcp://127.0.0.1:${rig.emu.listeningPort}`, timing: FAST_PRINTING });
  const spooler = devicesOf(server.giliran.io)?.localPrinters.get('env');
  if (spooler) await until(() => spooler.status.state !== 'unknown');
  return server;
}

const lost = (brought: Record<string, boolean | string>, passed: boolean, missing: string[]) => ({ subcase: 'hilang-rusak', passed, missing, answers: { brought, conditions: {} } });

describe('the issue command re-checks the kiosk answers', () => {
  it('refuses a forged "passed" with a mandatory item missing, over REST and the kiosk socket, and changes nothing', async () => {
    const srv = await start();
    const cookie = await login(srv.url, 'supervisor');
    const version = async () => (await request<QueueSnapshot>(srv.url, 'GET', `${OFFICE}/queue`, { cookie })).body.version;
    const before = await version();
    const forged = lost({ 'surat-kehilangan-polisi': false, 'ktp-el': true }, true, []);
    const res = await request(srv.url, 'POST', `${OFFICE}/tickets`, { body: { service: 'kk', precheck: forged } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
    expect(res.body.error.message.id).toBeTruthy();
    expect(res.body.error.message.en).toBeTruthy();
    const kiosk = rig.open('kiosk');
    expect(await emitAck(kiosk, 'issue', { service: 'kk', precheck: forged, idempotencyKey: 'forged-precheck-1' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    // An alternative the item does not have.
    const unknown = lost({ 'surat-kehilangan-polisi': 'ijazah', 'ktp-el': true }, true, []);
    expect(await emitAck(kiosk, 'issue', { service: 'kk', precheck: unknown, idempotencyKey: 'forged-precheck-2' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await version()).toBe(before);

    // The honest answers: the damaged card instead of the police report.
    const ok = await emitAck<Ack<{ ticket: { id: string } }>>(kiosk, 'issue', {
      service: 'kk', precheck: lost({ 'surat-kehilangan-polisi': 'kk-rusak', 'ktp-el': true }, true, []), idempotencyKey: 'honest-precheck-1',
    });
    const { ticket } = okData(ok);
    const snap = (await request<QueueSnapshot>(srv.url, 'GET', `${OFFICE}/queue`, { cookie })).body;
    expect(snap.tickets.find((t) => t.id === ticket.id)?.precheck).toEqual({
      subcase: 'hilang-rusak', passed: true, missing: [], alternatives: { 'surat-kehilangan-polisi': 'kk-rusak' },
    });
  });
});

describe('the "what to bring" slip', () => {
  it('names an item with its alternatives, and only the items the kiosk found missing', async () => {
    await start();
    const kiosk = rig.open('kiosk');
    const res = await emitAck(kiosk, 'print_slip', { service: 'kk', subcase: 'hilang-rusak', missing: ['surat-kehilangan-polisi'] });
    expect(res).toMatchObject({ ok: true, data: { state: 'printed' } });
    const [r] = await rig.emu.waitForReceipts(1);
    // Items as printed, their wrapped lines joined again: they run from "[ ]" to the next item or blank line.
    const items = r!.lines
      .map((l) => l.text)
      .join('\n')
      .split(/\n(?=\[ \])|\n\n/)
      .filter((x) => x.startsWith('[ ]'))
      .map((x) => x.replace(/\n/g, ' '));
    expect(items).toEqual(['[ ] Surat keterangan kehilangan dari kepolisian atau KK yang rusak']);
    expect(r!.text).not.toContain('KTP-el');
  });
});
