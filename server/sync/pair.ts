// Pairs this office box with the central for one office:
//   GILIRAN_DATA=/var/lib/giliran node server/sync/pair.ts https://central.example kupang
// asks the central for a pairing code (kind office_box), prints it for an admin
// of the central to approve in the console (Devices) for that office, waits,
// and stores the token in <data>/sync/box-tokens.json. Restart the box after.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { saveBoxToken } from './tokens.ts';

const started = z.object({ requestId: z.string(), code: z.string(), secret: z.string(), expiresAt: z.string() });
const status = z.union([z.object({ status: z.literal('pending') }), z.object({ status: z.literal('approved'), token: z.string(), device: z.object({ id: z.string(), officeId: z.string() }) })]);

export async function pairBox(central: string, office: string, dataDir: string, say: (line: string) => void, pollMs = 2_000): Promise<string> {
  const base = central.replace(/\/+$/, '');
  const res = await fetch(`${base}/api/v1/devices/pairing`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'office_box', name: `Server kantor ${office} (${os.hostname()})`.slice(0, 80) }) });
  if (res.status !== 201) throw new Error(`the central refused the pairing request: ${res.status} ${await res.text()}`);
  const req = started.parse(await res.json());
  say(`Kode pemasangan / pairing code: ${req.code}`);
  say(`Setujui di konsol admin pusat (Perangkat) untuk kantor ${office} / approve it in the central's admin console (Devices) for office ${office}.`);
  for (;;) {
    await new Promise((r) => setTimeout(r, pollMs));
    const s = await fetch(`${base}/api/v1/devices/pairing/${encodeURIComponent(req.requestId)}`, { headers: { 'x-pairing-secret': req.secret } });
    if (s.status === 404) throw new Error('the pairing code expired or was refused');
    if (!s.ok) continue;
    const body = status.parse(await s.json());
    if (body.status === 'approved') {
      if (body.device.officeId !== office) say(`Catatan / note: approved for office ${body.device.officeId}, not ${office}.`);
      await saveBoxToken(dataDir, { office: body.device.officeId, central: base, token: body.token });
      return body.device.officeId;
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [central, office] = process.argv.slice(2);
  if (!central || !office) {
    console.error('usage: node server/sync/pair.ts <central URL> <office id>   (GILIRAN_DATA names the data folder)');
    process.exit(2);
  }
  const dataDir = path.resolve(process.env.GILIRAN_DATA ?? 'data');
  pairBox(central, office, dataDir, (l) => console.log(l)).then(
    (o) => console.log(`Terpasang / paired: ${o}. Token in ${dataDir}/sync/box-tokens.json; restart the server with GILIRAN_CENTRAL_URL=${central}.`),
    (err) => {
      console.error(`giliran pair: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
