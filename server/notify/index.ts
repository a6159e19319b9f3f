// Alerts to citizens: wiring (one call from server/app.ts) and what other parts use.
import path from 'node:path';
import type pg from 'pg';
import type { Logger } from '../log.ts';
import type { QueueService } from '../queue-service.ts';
import type { Settings } from '../settings.ts';
import type { Secrets } from '../store/secrets.ts';
import type { Store } from '../store/types.ts';
import { NotifyService } from './notify-service.ts';
import { PgOutbox } from './pg-outbox.ts';
import { loadSharedVapidKeys, loadVapidKeys } from './vapid.ts';

export { NotifyService } from './notify-service.ts';
export type { NotifyStatus } from '../../protocol/notify.ts';

/** The contract C3 function type: the holder's alerts for the track view (NotifyService.statusOf). */
export type NotifyStatusOf = NotifyService['statusOf'];

export async function createNotify(opts: {
  settings: Settings;
  queue: QueueService;
  store: Store;
  /** On PostgreSQL, the store's pool (PgStore.pool): the outbox uses it and leaves ending it to the store. */
  pgPool?: pg.Pool;
  secrets: Secrets;
  log: Logger;
  now: () => Date;
}): Promise<NotifyService> {
  // Files of one process of a central deployment (the VAPID pair on the embedded store) stay apart from the others'.
  const root = path.join(opts.settings.dataDir, 'notify', ...(opts.settings.processId ? [`process-${opts.settings.processId}`] : []));
  const vapid = opts.secrets.ensureValue ? await loadSharedVapidKeys(opts.secrets.ensureValue) : await loadVapidKeys(root);
  // On PostgreSQL the outbox is shared by every process (pg-outbox.ts); on the embedded store it is files under root.
  let outbox: PgOutbox | undefined;
  if (opts.settings.databaseUrl) {
    if (!opts.pgPool) throw new Error('notify: on PostgreSQL the outbox needs the store’s pool');
    outbox = await PgOutbox.open({ pool: opts.pgPool, databaseUrl: opts.settings.databaseUrl, log: opts.log, claimIdleMs: opts.settings.notify.providerTimeoutMs + 30_000 });
  }
  const notify = new NotifyService({ root, settings: opts.settings.notify, publicUrl: opts.settings.publicUrl, queue: opts.queue, store: opts.store, secrets: opts.secrets, log: opts.log, now: opts.now, vapid, ...(outbox ? { outbox } : {}) });
  opts.queue.listen(notify.listener);
  return notify;
}
