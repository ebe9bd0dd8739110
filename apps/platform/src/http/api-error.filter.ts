import { randomUUID } from 'node:crypto';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { isDataError } from '../database/pg-errors.util';
import { AppError, httpStatusOf } from '../errors/app.errors';
import { LOGGER } from '../logging/logger';

const STATUS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** CONTRACT §3: every error is `{statusCode, error, message}`; bad input is never a 500. */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly log: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    let status = 500;
    let message = 'internal error';
    if (exception instanceof AppError) {
      status = httpStatusOf(exception.code);
      message = exception.message;
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      const body = exception.getResponse();
      const raw = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : exception.message;
      // Nest wraps body-parser's and Express' own 400s; answer them in our words, not the parser's.
      if (exception.cause instanceof SyntaxError) message = 'body: malformed JSON';
      if (exception.cause instanceof URIError) message = 'path: malformed percent-encoding';
    } else if (isBodyParserError(exception)) {
      status = exception.status;
      message = exception.type === 'entity.parse.failed' ? 'body: malformed JSON' : exception.message;
    } else if (isDataError(driverErrorOf(exception))) {
      // The database refused a value the validation let through: still the caller's input, never a 500.
      const unique = (driverErrorOf(exception) as { code: string }).code === '23505';
      status = unique ? 409 : 400;
      message = unique ? 'a record with these values already exists' : 'body: a value could not be stored';
      this.log.warn({ err: exception }, 'database refused a request value');
    } else {
      const correlationId = randomUUID();
      this.log.error({ err: exception, correlationId }, 'unhandled error in HTTP request');
      message = `internal error (correlation id ${correlationId})`;
    }
    if (res.headersSent) return;
    res.status(status).json({ statusCode: status, error: STATUS[status] ?? 'Error', message });
  }
}

/** TypeORM wraps the driver's error; a raw pg error is its own driver error. */
function driverErrorOf(e: unknown): unknown {
  return (e as { driverError?: unknown } | null)?.driverError ?? e;
}

function isBodyParserError(e: unknown): e is { status: number; type: string; message: string } {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { status?: unknown }).status === 'number' &&
    typeof (e as { type?: unknown }).type === 'string' &&
    (e as { status: number }).status < 500
  );
}
