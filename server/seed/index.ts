// The first configuration of an empty data folder: the demo offices of
// DOMAIN.md and their staff accounts.
import { hashPassword } from '../auth/passwords.ts';
import { generatedPassword } from '../auth/tokens.ts';
import type { ConfigData, UserRecord } from '../store/types.ts';
import { demoOffices } from './demo-offices.ts';

export interface Seed {
  data: ConfigData;
  /** The password given to every demo account, and whether it was generated (then print it once). */
  password: string;
  generated: boolean;
}

export async function demoSeed(passwordFromEnv: string | null, hashWith: (password: string) => Promise<string> = hashPassword): Promise<Seed> {
  const password = passwordFromEnv ?? generatedPassword();
  const hash = await hashWith(password);
  const users: UserRecord[] = [
    { id: 'admin', username: 'admin', name: 'Administrator', role: 'admin', offices: ['*'], passwordHash: hash },
    { id: 'supervisor', username: 'supervisor', name: 'Kepala Seksi Pelayanan', role: 'supervisor', offices: ['kupang'], passwordHash: hash },
  ];
  for (let i = 1; i <= 4; i++) {
    users.push({ id: `petugas${i}`, username: `petugas${i}`, name: `Petugas ${i}`, role: 'clerk', offices: ['kupang'], passwordHash: hash });
  }
  users.push({ id: 'petugas-pp1', username: 'petugas-pp1', name: 'Petugas Padang Panjang 1', role: 'clerk', offices: ['padang-panjang'], passwordHash: hash });
  return {
    data: { schemaVersion: 1, offices: demoOffices(), users, devices: [] },
    password,
    generated: passwordFromEnv === null,
  };
}
