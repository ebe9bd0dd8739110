import type { MessageKey, Translate } from '../i18n/i18n';
import { ApiError } from './api-client';

/** The status families the platform answers with (CONTRACT §3), each with its own sentence. */
const STATUS_KEYS: Record<number, MessageKey> = {
  400: 'apiError.400',
  401: 'apiError.401',
  403: 'apiError.403',
  404: 'apiError.404',
  409: 'apiError.409',
  413: 'apiError.413',
  422: 'apiError.400',
  429: 'apiError.429',
};

/**
 * A failed call in the reader's language (issue 16: no English or raw codes in zh-CN). The platform's
 * message names the bad field first (`emergencyContacts.0.phone: …`); the field is shown by its label,
 * the rest of the message only where the catalogue keeps it (English).
 */
export function errorText(error: unknown, t: Translate): string {
  if (!(error instanceof ApiError)) return t('error.network');
  if (error.status === 0) return t('error.network');
  const key = STATUS_KEYS[error.status] ?? (error.status >= 500 ? 'apiError.500' : 'apiError.other');
  const field = fieldLabel(error.message, t);
  return t(key, { message: error.message, status: error.status, field: field ? ` · ${field}` : '' });
}

/** `a.0.b: …` → the label of `b` (else of `a`); '' when the message names no field the catalogue knows. */
function fieldLabel(message: string, t: Translate): string {
  const path = /^([A-Za-z][\w.]*):/.exec(message)?.[1];
  if (!path) return '';
  const names = path.split('.').filter((p) => !/^\d+$/.test(p));
  for (const name of [names[names.length - 1], names[0]]) {
    const key = `field.${name}` as MessageKey;
    const label = t(key);
    if (label !== undefined && label !== key) return label;
  }
  return '';
}
