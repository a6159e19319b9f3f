// Versioned SQL migrations of the PostgreSQL store, applied in order at start
// (pg-store.ts migrate). Kept as strings so the bundled server carries them.
// Never edit a migration that has shipped: add the next number.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      -- The whole configuration (offices, users, devices) as one document: it is small,
      -- read into memory, and changed as a whole by ConfigStore.update.
      CREATE TABLE config (
        id smallint PRIMARY KEY CHECK (id = 1),
        data jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE sessions (
        id_hash text PRIMARY KEY,
        user_id text NOT NULL,
        expires_at timestamptz NOT NULL,
        data jsonb NOT NULL
      );
      CREATE INDEX sessions_expires ON sessions (expires_at);
      -- One row per commit of an office day: the journal. The key makes two
      -- processes racing for the same version impossible: one INSERT loses.
      CREATE TABLE commits (
        office_id text NOT NULL,
        office_day text NOT NULL,
        version integer NOT NULL CHECK (version >= 1),
        data jsonb NOT NULL,
        committed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (office_id, office_day, version)
      );
      CREATE TABLE audit (
        id bigserial PRIMARY KEY,
        day text NOT NULL,
        office_id text,
        data jsonb NOT NULL
      );
      CREATE INDEX audit_day ON audit (day, id);
    `,
  },
  {
    version: 40,
    name: 'office box sync',
    sql: `
      -- What each office box last shipped per office day (server/sync): the admin console's sync state.
      -- The commits themselves go into commits, keyed (office, day, version) like any other.
      CREATE TABLE sync_state (
        device_id text NOT NULL,
        office_id text NOT NULL,
        office_day text NOT NULL,
        version integer NOT NULL,
        box_version integer,
        contact_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (device_id, office_id, office_day)
      );
      CREATE INDEX sync_state_office ON sync_state (office_id, office_day DESC);
      -- Audit lines a box shipped, by its line number in its audit journal of the day: each stored once.
      CREATE TABLE sync_audit (
        device_id text NOT NULL,
        office_id text NOT NULL,
        day text NOT NULL,
        seq integer NOT NULL,
        PRIMARY KEY (device_id, office_id, day, seq)
      );
      CREATE TABLE sync_audit_marks (
        device_id text NOT NULL,
        office_id text NOT NULL,
        day text NOT NULL,
        up_to integer NOT NULL,
        PRIMARY KEY (device_id, office_id, day)
      );
    `,
  },
];
