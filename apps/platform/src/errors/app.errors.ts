/** The closed list of failure kinds a use case may report; edges map them (HTTP filter, socket acks). */
export type AppErrorCode =
  | 'invalid_input'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unsupported_media_type'
  | 'rate_limited';

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string): AppError => new AppError('not_found', `${what} not found`);

/** PostgreSQL unique_violation (23505), e.g. a taken username or serial. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { driverError?: { code?: string } } | null)?.driverError?.code === '23505';
}

/** The HTTP status of a failure kind (CONTRACT §3); socket acknowledgements carry it too. */
export function httpStatusOf(code: AppErrorCode): number {
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
    case 'unsupported_media_type':
      return 415;
    case 'rate_limited':
      return 429;
  }
}

/** A socket.io acknowledgement refusing an action, as its HTTP equivalent would (CONTRACT §4 `{error}`). */
export function ackError(error: unknown): { error: string; statusCode: number } {
  return error instanceof AppError
    ? { error: error.message, statusCode: httpStatusOf(error.code) }
    : { error: 'internal error', statusCode: 500 };
}
