import { randomUUID } from 'node:crypto';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { AppError, type AppErrorCode } from '../errors/app.errors';
import { LOGGER } from '../logging/logger';

const STATUS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function statusOf(code: AppErrorCode): number {
  switch (code) {
    case 'invalid_input':
      return 400;
    case 'unauthenticated':
      return 401;
    case 'forbidden':
      return 403;
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
    case 'rate_limited':
      return 429;
  }
}

/** CONTRACT §3: every error is `{statusCode, error, message}`; bad input is never a 500. */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly log: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    let status = 500;
    let message = 'internal error';
    if (exception instanceof AppError) {
      status = statusOf(exception.code);
      message = exception.message;
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      const body = exception.getResponse();
      const raw = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : exception.message;
    } else if (isBodyParserError(exception)) {
      status = exception.status;
      message = exception.type === 'entity.parse.failed' ? 'body: malformed JSON' : exception.message;
    } else {
      const correlationId = randomUUID();
      this.log.error({ err: exception, correlationId }, 'unhandled error in HTTP request');
      message = `internal error (correlation id ${correlationId})`;
    }
    if (res.headersSent) return;
    res.status(status).json({ statusCode: status, error: STATUS[status] ?? 'Error', message });
  }
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
