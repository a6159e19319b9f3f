// npm run backup -- --out FILE [--data DIR]
// npm run restore -- FILE [--data DIR] [--force]
//
// The data folder defaults to what the server uses (GILIRAN_DATA, else ./data).
// A backup may be taken while the server runs (see backup.ts: consistent).
// A restore is for a server that is stopped: it refuses a folder that holds
// anything unless --force, and then keeps the old folder beside the new one.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadSettings } from '../settings.ts';
import { DurableJSONFile, writeFileDurably } from '../store/durable-file.ts';
import { parseConfigData } from '../store/config-schema.ts';
import type { ConfigData } from '../store/types.ts';
import { BackupError, createBackup, decodeBackup, encodeBackup, isEmptyDir, restoreIntoFolder } from './backup.ts';

function dataDirOf(value: string | undefined): string {
  return value ? path.resolve(value) : loadSettings(process.env).dataDir;
}

async function backup(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string' }, data: { type: 'string' }, office: { type: 'string' } }, strict: true });
  if (!values.out) {
    console.error('usage: npm run backup -- --out FILE [--data DIR] [--office ID]');
    return 2;
  }
  const dataDir = dataDirOf(values.data);
  const raw = await new DurableJSONFile<ConfigData>(path.join(dataDir, 'config.json')).read();
  if (raw === null) {
    console.error(`${dataDir}: no config.json here; is this a Giliran data folder?`);
    return 1;
  }
  const config = parseConfigData(raw, path.join(dataDir, 'config.json'));
  if (values.office && !config.offices.some((o) => o.id === values.office)) {
    console.error(`no office ${values.office} in ${dataDir}`);
    return 1;
  }
  const doc = await createBackup({ config, dataDir, offices: values.office ? [values.office] : ['*'] });
  const file = await encodeBackup(doc);
  await writeFileDurably(path.resolve(values.out), file);
  console.log(`backup of ${dataDir} (${doc.offices.join(', ')}): ${doc.journals.length} journal files, ${doc.files.length} other files, ${file.length} bytes → ${path.resolve(values.out)}`);
  return 0;
}

async function restore(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { data: { type: 'string' }, force: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
  const [file] = positionals;
  if (!file || positionals.length > 1) {
    console.error('usage: npm run restore -- FILE [--data DIR] [--force]');
    return 2;
  }
  const dataDir = dataDirOf(values.data);
  let decoded;
  try {
    decoded = await decodeBackup(await readFile(path.resolve(file)));
  } catch (err) {
    if (err instanceof BackupError) {
      console.error(`${file}: not a valid backup (${err.where}: ${err.message}); nothing was written.`);
      return 1;
    }
    throw err;
  }
  if (!(await isEmptyDir(dataDir)) && !values.force) {
    console.error(`${dataDir} is not empty: stop the server and give --force to restore over it (the old folder is kept beside it).`);
    return 1;
  }
  const { movedAside } = await restoreIntoFolder(decoded, dataDir);
  console.log(
    `restored ${decoded.config.offices.map((o) => o.id).join(', ')} into ${dataDir}: ${decoded.doc.journals.length} journal files, ${decoded.tickets} tickets` +
      (movedAside ? `; the folder that was there is now ${movedAside}` : ''),
  );
  return 0;
}

const [command, ...rest] = process.argv.slice(2);
const run = command === 'backup' ? backup : command === 'restore' ? restore : null;
if (!run) {
  console.error('usage: tsx server/backup/cli.ts backup|restore …');
  process.exit(2);
}
run(rest).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error((err as Error).message);
    process.exit(1);
  },
);
