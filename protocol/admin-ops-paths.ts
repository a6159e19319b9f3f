// The admin operations routes, spelled once for pages (no zod here: pages may import it).
/** The routes, for pages (one place to spell them). */
export const adminOpsPaths = {
  staff: (office: string) => `/api/v1/admin/offices/${encodeURIComponent(office)}/staff`,
  staffMember: (office: string, id: string) => `/api/v1/admin/offices/${encodeURIComponent(office)}/staff/${encodeURIComponent(id)}`,
  resetPassword: (office: string, id: string) => `/api/v1/admin/offices/${encodeURIComponent(office)}/staff/${encodeURIComponent(id)}/reset-password`,
  devices: (office: string) => `/api/v1/admin/offices/${encodeURIComponent(office)}/devices`,
  approve: (office: string, code: string) => `/api/v1/admin/offices/${encodeURIComponent(office)}/devices/pairings/${encodeURIComponent(code)}/approve`,
  reject: (office: string, code: string) => `/api/v1/admin/offices/${encodeURIComponent(office)}/devices/pairings/${encodeURIComponent(code)}/reject`,
  device: (office: string, id: string) => `/api/v1/admin/offices/${encodeURIComponent(office)}/devices/${encodeURIComponent(id)}`,
  printer: (office: string, id: string) => `/api/v1/admin/offices/${encodeURIComponent(office)}/devices/${encodeURIComponent(id)}/printer`,
  testPrint: (office: string, id: string) => `/api/v1/admin/offices/${encodeURIComponent(office)}/devices/${encodeURIComponent(id)}/test-print`,
  backup: (office?: string) => (office ? `/api/v1/admin/backup?office=${encodeURIComponent(office)}` : '/api/v1/admin/backup'),
  restore: '/api/v1/admin/restore',
  adminLogo: (office: string) => `/api/v1/admin/offices/${encodeURIComponent(office)}/logo`,
  logo: (office: string) => `/api/v1/offices/${encodeURIComponent(office)}/logo`,
  password: '/api/v1/session/password',
} as const;
