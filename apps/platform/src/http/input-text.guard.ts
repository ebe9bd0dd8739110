import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { findUnstorableText } from '@anxin/contract';
import { AppError } from '../errors/app.errors';
import { ACCEPTS_SPREADSHEET, SPREADSHEET_TYPES } from './file-upload';

/**
 * Runs on every HTTP route (CONTRACT §3: bad input is a 400 naming the field,
 * never a 500): a JSON API takes JSON bodies only, and no path, query or body
 * may carry text PostgreSQL cannot store (NUL, an unpaired surrogate).
 */
@Injectable()
export class InputTextGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    // A spreadsheet upload is checked cell by cell by its route (resident-import.ts).
    if (this.reflector.get<boolean>(ACCEPTS_SPREADSHEET, context.getHandler()) && request.is(SPREADSHEET_TYPES))
      return findUnstorableText(request.query, 'query') === null;
    if (hasBody(request) && !request.is('application/json')) {
      throw new AppError(
        'unsupported_media_type',
        `Content-Type: expected application/json, received ${request.headers['content-type'] ?? 'none'}`,
      );
    }
    const bad =
      findUnstorableText(request.params, 'path') ??
      findUnstorableText(request.query, 'query') ??
      findUnstorableText(request.body, 'body');
    if (bad !== null) throw new AppError('invalid_input', bad.replace(/^(path|query|body)\./, ''));
    return true;
  }
}

function hasBody(request: Request): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
