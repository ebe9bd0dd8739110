import { en } from '../i18n/en';
import type { MessageKey, Translate } from '../i18n/i18n';
import { zhCN } from '../i18n/zh-CN';
import { ApiError } from './api-client';
import { errorText } from './api-errors';

const translator =
  (catalogue: Record<MessageKey, string>): Translate =>
  (key, params) =>
    params
      ? catalogue[key].replace(/\{(\w+)\}/g, (w, n: string) => (n in params ? String(params[n]) : w))
      : catalogue[key];

describe("API errors in the reader's language", () => {
  const zh = translator(zhCN);

  it('names the bad field by its Chinese label, never the English message or the code', () => {
    const text = errorText(new ApiError(400, 'emergencyContacts.0.phone: expected a phone number'), zh);
    expect(text).toBe('输入有误 · 电话，请检查后重试');
    expect(errorText(new ApiError(409, 'username: "li" is already taken'), zh)).toBe(
      '与现有记录冲突 · 用户名，请刷新后重试',
    );
    expect(errorText(new ApiError(400, 'something odd'), zh)).toBe('输入有误，请检查后重试');
  });

  it('has a sentence for each status family and for a lost network', () => {
    expect(errorText(new ApiError(403, 'role: an operator may only create caregivers'), zh)).toBe('无权执行此操作');
    expect(errorText(new ApiError(404, 'resident 1 not found'), zh)).toBe('未找到，或不在您的管辖范围内');
    expect(errorText(new ApiError(503, 'database unavailable'), zh)).toBe('服务暂时无法处理，请稍后重试');
    expect(errorText(new ApiError(0, 'network'), zh)).toBe('网络错误，请重试');
    expect(errorText(new TypeError('x'), zh)).toBe('网络错误，请重试');
    for (const status of [400, 401, 403, 404, 409, 413, 418, 429, 500])
      expect(errorText(new ApiError(status, 'username: bad'), zh)).not.toMatch(/[A-Za-z]{3,}/);
  });

  it("keeps the platform's own message in English", () => {
    expect(errorText(new ApiError(409, 'username: "li" is already taken'), translator(en))).toBe(
      '409 · username: "li" is already taken',
    );
  });
});
