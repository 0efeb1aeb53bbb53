import { describe, expect, it } from 'vitest';
import { maskPhone } from '../../src/domain/phone.ts';

describe('masking phone numbers', () => {
  it.each([
    ['13800138000', '138****8000'],
    ['01065001234', '010****1234'],
    ['+8613800138000', '+86138****8000'],
    ['65001234', '****1234'],
    ['12345', '***45'],
    ['110', '***'],
    ['  13800138000 ', '138****8000'],
    ['anonymous', 'anonymous'],
    ['', ''],
  ])('when %j is masked, then it reads %j', (raw, masked) => {
    expect(maskPhone(raw)).toBe(masked);
  });

  it('when there is no number at all, then the mask is empty', () => {
    expect(maskPhone(undefined)).toBe('');
    expect(maskPhone(null)).toBe('');
  });

  it('when a long number is masked, then at most four digits show at the end and the length is kept', () => {
    const raw = '008613800138000123';
    const masked = maskPhone(raw);
    expect(masked).toHaveLength(raw.length);
    expect(masked.endsWith('0123')).toBe(true);
    expect(masked).toContain('********');
  });
});
