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
    version: 30,
    name: 'shared-secrets',
    sql: `
      -- The server's secrets (holder-key MAC key, HMAC keys, the VAPID pair) shared by every
      -- process of a central deployment: a ticket's holder key made by one process must verify
      -- on another. A value is written once (INSERT … ON CONFLICT DO NOTHING) and never changed.
      CREATE TABLE secrets (
        name text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
        value bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 50,
    name: 'report aggregates',
    sql: `
      -- One report aggregate per closed office day (server/domain/report.ts), so a
      -- range report merges days instead of reading tickets.
      CREATE TABLE report_aggregates (
        office_id text NOT NULL,
        office_day text NOT NULL,
        format integer NOT NULL,
        data jsonb NOT NULL,
        computed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (office_id, office_day)
      );
      -- A commit added to a day (a synced office box's past day) makes its aggregates stale.
      CREATE FUNCTION report_aggregates_stale() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- The day's own aggregate and its month's roll-up ("YYYY-MM").
        DELETE FROM report_aggregates WHERE office_id = NEW.office_id AND office_day IN (NEW.office_day, left(NEW.office_day, 7));
        RETURN NULL;
      END $$;
      CREATE TRIGGER commits_make_aggregates_stale AFTER INSERT ON commits
        FOR EACH ROW EXECUTE FUNCTION report_aggregates_stale();
    `,
  },
  {
    version: 20,
    name: 'complaints',
    sql: `
      -- Complaints (pengaduan) span days: one row each, the record as a document.
      CREATE TABLE complaints (
        office_id text NOT NULL,
        id text NOT NULL,
        code text NOT NULL,
        created_at timestamptz NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (office_id, id),
        UNIQUE (office_id, code)
      );
      CREATE INDEX complaints_created ON complaints (office_id, created_at DESC);
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
  {
    version: 60,
    name: 'notification outbox',
    sql: `
      -- The notification outbox (server/notify/pg-outbox.ts), shared by the processes of a central.
      -- Subscriptions and messages hold no contact data; notify_contacts and notify_booking_contacts
      -- do, and their rows go when the day is over (or sooner: unsubscribe, ticket finished).
      CREATE TABLE notify_subs (
        office_id text NOT NULL,
        office_day text NOT NULL,
        ticket text NOT NULL,
        threshold integer NOT NULL CHECK (threshold BETWEEN 1 AND 20),
        since timestamptz NOT NULL,
        PRIMARY KEY (office_id, office_day, ticket)
      );
      -- One row per message id: (ticket, kind, channel) gives the id, so it is made at most once.
      CREATE TABLE notify_messages (
        office_id text NOT NULL,
        office_day text NOT NULL,
        id text NOT NULL,
        ticket text NOT NULL,
        kind text NOT NULL,
        channel text NOT NULL,
        facts jsonb NOT NULL DEFAULT '{}',
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'delivered', 'failed')),
        created_at timestamptz NOT NULL,
        at timestamptz NOT NULL,
        provider_id text,
        reason text,
        attempts integer NOT NULL DEFAULT 0,
        due_at timestamptz,
        PRIMARY KEY (office_id, office_day, id)
      );
      CREATE INDEX notify_messages_pending ON notify_messages (office_id, office_day) WHERE state = 'pending';
      CREATE TABLE notify_contacts (
        office_id text NOT NULL,
        office_day text NOT NULL,
        ticket text NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (office_id, office_day, ticket)
      );
      CREATE TABLE notify_booking_contacts (
        office_id text NOT NULL,
        office_day text NOT NULL,
        code text NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (office_id, office_day, code)
      );
    `,
  },
];
