import { ApiBody } from '@nestjs/swagger';
import { z } from 'zod';

/** Documents a route's body from the same zod schema that validates it. */
export function ApiJsonBody(schema: z.ZodType): MethodDecorator {
  return ApiBody({ schema: z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown> });
}
