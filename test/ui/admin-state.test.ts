// The admin console's form state (admin/admin.svelte.ts Editor, admin/edit.ts)
// without a browser: a fake transport plays the server's answers to a save —
// taken, stale revision (409 with `current`), wrong fields (400 with bilingual
// messages) — and the tests check what the form then holds.
import { describe, expect, it } from 'vitest';
import { Editor, mayWrite, sectionValue, setPath, type Result, type Send } from '../../admin/admin.svelte.ts';
import { diff, errorId, fieldErrors, fieldId, hhmm, move, normalPath, unplaced } from '../../admin/edit.ts';
import type { AdminOffice, AdminOfficeView } from '../../protocol/admin.ts';

interface Rules {
  rules: { priorityPerRegular: number; enforceHours: boolean };
  kiosk: { idleSeconds: number };
}
const start = (): Rules => ({ rules: { priorityPerRegular: 2, enforceHours: false }, kiosk: { idleSeconds: 30 } });

/** A transport answering each PUT with the next scripted answer, and recording the bodies. */
function script(...answers: Array<Result<unknown>>): { send: Send; bodies: unknown[] } {
  const bodies: unknown[] = [];
  const send: Send = async <T,>(_method: string, _path: string, body?: unknown) => {
    bodies.push(JSON.parse(JSON.stringify(body)));
    const a = answers.shift();
    if (!a) throw new Error('no more answers');
    return a as Result<T>;
  };
  return { send, bodies };
}
const ok = (data: unknown): Result<unknown> => ({ ok: true, status: 200, data });
const refused = (status: number, body: { error: { code: string; message: { id: string; en: string }; fields?: unknown } } & Record<string, unknown>): Result<unknown> => ({
  ok: false,
  status,
  error: body.error as never,
  body,
});

describe('a section form', () => {
  it('sends the revision it started from and takes the new one the server answers', async () => {
    const { send, bodies } = script(ok({ value: { ...start(), rules: { priorityPerRegular: 3, enforceHours: false } }, revision: 5 }));
    const ed = new Editor<Rules>('/x', start(), 4, send);
    expect(ed.dirty).toBe(false);
    ed.draft.rules.priorityPerRegular = 3;
    expect(ed.dirty).toBe(true);
    expect(await ed.save()).toBe(true);
    expect(bodies).toEqual([{ revision: 4, value: { rules: { priorityPerRegular: 3, enforceHours: false }, kiosk: { idleSeconds: 30 } } }]);
    expect(ed.revision).toBe(5);
    expect(ed.status).toBe('saved');
    expect(ed.dirty).toBe(false);
  });

  it('reads the saved value out of the office view a save answers with', async () => {
    const view = { office: { rules: { priorityPerRegular: 7, enforceHours: true }, kiosk: { idleSeconds: 45 } }, revisions: { rules: { revision: 9 } } };
    const { send } = script(ok(view));
    const ed = new Editor<Rules>('/x', start(), 8, send, (a) => {
      const v = a as typeof view;
      return { value: sectionValue(v.office as unknown as AdminOffice, 'rules') as unknown as Rules, revision: v.revisions.rules.revision };
    });
    await ed.save();
    expect(ed.revision).toBe(9);
    expect(ed.draft).toEqual({ rules: { priorityPerRegular: 7, enforceHours: true }, kiosk: { idleSeconds: 45 } });
  });

  it('on a stale revision keeps my draft, shows who changed what, and saves nothing', async () => {
    const theirs = { rules: { priorityPerRegular: 2, enforceHours: true }, kiosk: { idleSeconds: 30 } };
    const { send } = script(
      refused(409, { error: { code: 'stale_revision', message: { id: 'Diubah', en: 'Changed' } }, current: { value: theirs, revision: 6, at: '2026-12-01T02:15:00.000Z', by: 'kepala' } }),
    );
    const ed = new Editor<Rules>('/x', start(), 5, send);
    ed.draft.rules.priorityPerRegular = 4;
    expect(await ed.save()).toBe(false);
    expect(ed.status).toBe('conflict');
    expect(ed.conflict?.by).toBe('kepala');
    expect(ed.conflict?.revision).toBe(6);
    expect(ed.conflict?.theirs).toEqual([{ path: 'rules.enforceHours', before: false, after: true }]);
    expect(ed.mine).toEqual([{ path: 'rules.priorityPerRegular', before: 2, after: 4 }]);
    expect(ed.draft.rules.priorityPerRegular).toBe(4);
    expect(ed.revision).toBe(5);
  });

  it('reloads their version, dropping mine', async () => {
    const theirs = { rules: { priorityPerRegular: 2, enforceHours: true }, kiosk: { idleSeconds: 30 } };
    const { send } = script(refused(409, { error: { code: 'stale_revision', message: { id: 'x', en: 'x' } }, current: { value: theirs, revision: 6, at: null, by: null } }));
    const ed = new Editor<Rules>('/x', start(), 5, send);
    ed.draft.rules.priorityPerRegular = 4;
    await ed.save();
    ed.reload();
    expect(ed.draft).toEqual(theirs);
    expect(ed.revision).toBe(6);
    expect(ed.conflict).toBeNull();
    expect(ed.dirty).toBe(false);
  });

  it('reapplies my changes on top of theirs with their revision', async () => {
    const theirs = { rules: { priorityPerRegular: 2, enforceHours: true }, kiosk: { idleSeconds: 30 } };
    const { send, bodies } = script(
      refused(409, { error: { code: 'stale_revision', message: { id: 'x', en: 'x' } }, current: { value: theirs, revision: 6, at: null, by: 'b' } }),
      ok({ value: { rules: { priorityPerRegular: 4, enforceHours: true }, kiosk: { idleSeconds: 30 } }, revision: 7 }),
    );
    const ed = new Editor<Rules>('/x', start(), 5, send);
    ed.draft.rules.priorityPerRegular = 4;
    await ed.save();
    expect(await ed.reapply()).toBe(true);
    expect(bodies[1]).toEqual({ revision: 6, value: { rules: { priorityPerRegular: 4, enforceHours: true }, kiosk: { idleSeconds: 30 } } });
    expect(ed.revision).toBe(7);
    expect(ed.status).toBe('saved');
  });

  it('maps the 400 field errors to the fields by path, in both languages, and keeps the draft', async () => {
    const { send } = script(
      refused(400, {
        error: {
          code: 'invalid_body',
          message: { id: 'Isian belum benar.', en: 'Some fields are not right.' },
          fields: [
            { path: ['value', 'rules', 'priorityPerRegular'], message: { id: 'maksimal 20', en: 'at most 20' } },
            { path: ['value', 'kiosk', 'idleSeconds'], message: { id: 'minimal 5', en: 'at least 5' } },
          ],
        },
      }),
    );
    const ed = new Editor<Rules>('/x', start(), 1, send);
    ed.draft.rules.priorityPerRegular = 99;
    await ed.save();
    expect(ed.status).toBe('invalid');
    expect(ed.errors).toEqual({ 'rules.priorityPerRegular': { id: 'maksimal 20', en: 'at most 20' }, 'kiosk.idleSeconds': { id: 'minimal 5', en: 'at least 5' } });
    expect(ed.draft.rules.priorityPerRegular).toBe(99);
    expect(ed.revision).toBe(1);
  });

  it('shows a refusal that is about no field (a service with tickets cannot be removed)', async () => {
    const { send } = script(refused(409, { error: { code: 'service_in_use', message: { id: 'Layanan ini masih punya antrean', en: 'This service still has tickets' } } }));
    const ed = new Editor<Rules>('/x', start(), 1, send);
    ed.draft.kiosk.idleSeconds = 40;
    await ed.save();
    expect(ed.status).toBe('error');
    expect(ed.refusal?.code).toBe('service_in_use');
    expect(ed.errors).toEqual({});
  });

  it('follows a live change while clean, and keeps a draft with changes', () => {
    const ed = new Editor<Rules>('/x', start(), 1, script().send);
    ed.remote({ ...start(), kiosk: { idleSeconds: 60 } }, 2);
    expect(ed.draft.kiosk.idleSeconds).toBe(60);
    expect(ed.revision).toBe(2);
    ed.draft.kiosk.idleSeconds = 90;
    ed.remote({ ...start(), kiosk: { idleSeconds: 120 } }, 3);
    expect(ed.draft.kiosk.idleSeconds).toBe(90);
    expect(ed.revision).toBe(2);
  });
});

describe('form helpers', () => {
  it('names a field by its path from the section value', () => {
    expect(normalPath(['value', 'services', 2, 'prefix'])).toBe('services.2.prefix');
    expect(normalPath('value.name.id')).toBe('name.id');
    expect(fieldId('services.2.prefix')).toBe('f-services-2-prefix');
    expect(errorId('services.2.prefix')).toBe('f-services-2-prefix-err');
  });

  it('joins two messages of one field and lists errors the form does not show', () => {
    const e = fieldErrors([
      { path: ['value', 'a'], message: { id: 'satu', en: 'one' } },
      { path: ['value', 'a'], message: { id: 'dua', en: 'two' } },
      { path: ['value', 'b'], message: 'plain' },
    ]);
    expect(e).toEqual({ a: { id: 'satu; dua', en: 'one; two' }, b: { id: 'plain', en: 'plain' } });
    expect(unplaced(e, ['a'])).toEqual([['b', { id: 'plain', en: 'plain' }]]);
  });

  it('diffs leaf by leaf, lists by index', () => {
    expect(diff({ a: [1, 2], b: { c: 'x' } }, { a: [1, 3, 4], b: { c: 'x' } })).toEqual([
      { path: 'a.1', before: 2, after: 3 },
      { path: 'a.2', before: undefined, after: 4 },
    ]);
  });

  it('moves an item up and down, not past the ends', () => {
    expect(move(['a', 'b', 'c'], 1, -1)).toEqual(['b', 'a', 'c']);
    expect(move(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
  });

  it('sets a dotted path', () => {
    const v = { a: { b: [1, 2] } };
    setPath(v, 'a.b.1', 5);
    expect(v).toEqual({ a: { b: [1, 5] } });
  });

  it('reads the write permission per section and per field', () => {
    const view: Pick<AdminOfficeView, 'permissions'> = {
      permissions: [
        { section: 'profile', read: true, write: true, fields: ['marquee'] },
        { section: 'services', read: true, write: false },
      ],
    };
    expect(mayWrite(view, 'profile')).toBe(true);
    expect(mayWrite(view, 'profile', 'marquee')).toBe(true);
    expect(mayWrite(view, 'profile', 'name')).toBe(false);
    expect(mayWrite(view, 'services')).toBe(false);
    expect(mayWrite(view, 'rules')).toBe(false);
  });
});

describe('hhmm: times on admin screens in the office zone', () => {
  it('says the time of an instant in the office zone with its name, whatever the browser zone', () => {
    // 16:21 UTC is 00:21 the next day in Kupang (WITA, UTC+8) and 23:21 in Jakarta (WIB).
    expect(hhmm('2026-11-23T16:21:00.000Z', 'Asia/Makassar')).toBe('00.21 WITA');
    expect(hhmm('2026-11-23T16:21:00.000Z', 'Asia/Makassar', 'en')).toBe('00:21 WITA');
    expect(hhmm('2026-11-23T16:21:00.000Z', 'Asia/Jakarta')).toBe('23.21 WIB');
  });

  it('says UTC when the office zone is not known yet (no silent browser zone)', () => {
    expect(hhmm('2026-11-23T16:21:00.000Z', undefined)).toBe('16:21 UTC');
  });
});
