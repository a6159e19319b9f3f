// Who may do what. One table for REST and sockets alike.
import type { CommandType } from '../../protocol/commands.ts';
import type { Actor, DeviceKind, Role } from '../../protocol/model.ts';
import type { DeviceRecord, UserRecord } from '../store/types.ts';

export type Principal =
  | { kind: 'user'; user: UserRecord; sessionHash: string }
  | { kind: 'device'; device: Pick<DeviceRecord, 'id' | 'kind' | 'officeId' | 'name'>; loopback: boolean };

const STAFF: Role[] = ['admin', 'supervisor', 'clerk'];
const LEADS: Role[] = ['admin', 'supervisor'];
const COUNTER_DEVICES: DeviceKind[] = ['agent']; // hardware keypads come through the agent

export const COMMAND_PERMISSIONS: Record<CommandType, { roles: Role[]; devices: DeviceKind[] }> = {
  issue: { roles: STAFF, devices: ['kiosk', 'agent'] },
  call_next: { roles: STAFF, devices: COUNTER_DEVICES },
  call_ticket: { roles: STAFF, devices: [] },
  recall: { roles: STAFF, devices: COUNTER_DEVICES },
  start: { roles: STAFF, devices: COUNTER_DEVICES },
  finish: { roles: STAFF, devices: COUNTER_DEVICES },
  no_show: { roles: STAFF, devices: COUNTER_DEVICES },
  reinstate: { roles: STAFF, devices: [] },
  transfer: { roles: STAFF, devices: [] },
  park: { roles: STAFF, devices: [] },
  return: { roles: STAFF, devices: [] },
  cancel: { roles: STAFF, devices: [] },
  pause: { roles: STAFF, devices: [] },
  resume: { roles: STAFF, devices: [] },
  sign_in: { roles: STAFF, devices: [] },
  sign_out: { roles: STAFF, devices: [] },
  configure_counter: { roles: STAFF, devices: [] },
  move_ticket: { roles: LEADS, devices: [] },
  record_precheck: { roles: STAFF, devices: ['kiosk'] },
  close_service: { roles: LEADS, devices: [] },
  reopen_service: { roles: LEADS, devices: [] },
  // The citizen answers: on a survey tablet (a paired kiosk) or from the phone with the holder key (server/http/track.ts), never staff for them.
  answer_survey: { roles: [], devices: ['kiosk'] },
};

/** A loopback screen in the quick start stands for every kind of device. */
export const LOOPBACK_DEVICE = { id: 'loopback', kind: 'kiosk' as DeviceKind, officeId: '*', name: 'Perangkat lokal (demo)' };

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;

/** The user's role in an office they work for (one role across their offices today), else null. */
export function officeRoleOf(p: Principal, officeId: string): Role | null {
  return p.kind === 'user' && worksFor(p, officeId) ? p.user.role : null;
}

export function worksFor(p: Principal, officeId: string): boolean {
  if (p.kind === 'user') return p.user.offices.includes('*') || p.user.offices.includes(officeId);
  return p.device.officeId === '*' || p.device.officeId === officeId;
}

export function mayRun(p: Principal, command: CommandType): boolean {
  const rule = COMMAND_PERMISSIONS[command];
  if (p.kind === 'user') return rule.roles.includes(p.user.role);
  if (p.loopback) return command === 'issue' || command === 'record_precheck' || command === 'answer_survey'; // a demo screen is a kiosk, never a counter
  return rule.devices.includes(p.device.kind);
}

export function hasRole(p: Principal | null, roles: Role[]): boolean {
  return p?.kind === 'user' && roles.includes(p.user.role);
}

export function actorOf(p: Principal): Actor {
  if (p.kind === 'user') return { kind: 'user', id: p.user.id, name: p.user.name, role: p.user.role };
  return { kind: 'device', id: p.device.id, name: p.device.name, role: p.device.kind };
}
