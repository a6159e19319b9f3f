import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: undefined,
    // Never log secrets, session cookies or personal numbers.
    redact: ['req.headers.cookie', 'password', '*.password', 'token', '*.token', 'nik', '*.nik', 'phone', '*.phone', 'altcha', '*.altcha', 'k', '*.k'],
  });
}
