// The sync API's addresses (protocol/sync.ts), in a file without zod so pages may import it.
export const syncPaths = {
  box: '/api/v1/sync/box',
  day: (office: string, day: string) => `/api/v1/sync/${encodeURIComponent(office)}/days/${encodeURIComponent(day)}`,
  commits: (office: string, day: string) => `/api/v1/sync/${encodeURIComponent(office)}/days/${encodeURIComponent(day)}/commits`,
  audit: (office: string, day: string) => `/api/v1/sync/${encodeURIComponent(office)}/audit/${encodeURIComponent(day)}`,
  status: (office: string) => `/api/v1/admin/offices/${encodeURIComponent(office)}/sync`,
};
