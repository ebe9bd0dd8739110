import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

export const LOGGER = Symbol('LOGGER');

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'anxin-platform' }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** Fields of a database error that carry values: password and secret hashes, names, responders' notes. */
const VALUE_FIELDS = ['parameters', 'detail', 'where', 'driverError'] as const;

/**
 * Logs errors without the values they carry: TypeORM's QueryFailedError holds
 * the statement's parameters and pg's error a `detail` quoting the row. The
 * statement text and SQLSTATE stay, which is what diagnosis needs.
 */
function errorWithoutValues(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  if (typeof serialized !== 'object' || serialized === null) return serialized;
  const driverCode = (error as { driverError?: { code?: unknown } }).driverError?.code;
  for (const field of VALUE_FIELDS) delete serialized[field];
  if (driverCode !== undefined) serialized['code'] = driverCode;
  // PostgreSQL quotes the refused value in a data exception's message (invalid input syntax for type
  // uuid: "13800000000"), and the stack repeats the message: the quoted text goes from both.
  if (typeof driverCode === 'string' && driverCode.startsWith('22')) {
    for (const field of ['message', 'stack'] as const)
      if (typeof serialized[field] === 'string') serialized[field] = withoutQuotedValues(serialized[field]);
  }
  return serialized;
}

const withoutQuotedValues = (text: string): string => text.replace(/"(?:[^"\\]|\\.)*"/g, '"…"');

/** The platform's log: whatever root logger it is given, errors are logged without their values. */
export function withoutLoggedValues(log: Logger): Logger {
  return log.child({}, { serializers: { err: errorWithoutValues } });
}

/** Routes Nest's own log lines into the structured pino log. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly pinoLog: Logger) {}
  log(message: unknown, context?: string): void {
    this.pinoLog.debug({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.pinoLog.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.pinoLog.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.pinoLog.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.pinoLog.trace({ context }, String(message));
  }
}
