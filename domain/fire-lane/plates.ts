/** Licence plates as cameras and registries write them. */

/** Upper case, without the spaces, dots and dashes cameras and spreadsheets put in (`浙B·10001` → `浙B10001`). */
export function normalizePlate(raw: string): string {
  return String(raw ?? '')
    .trim()
    .toUpperCase()
    .replace(/[\s·•.\-_]/g, '');
}

/**
 * A mainland plate: province character, issuing-office letter, then 5 (ordinary) or 6 (new-energy)
 * letters/digits without I and O, the last may be 挂/学/警/港/澳. Anything else (`未识别`, `浙B?0001`,
 * an empty string) is an unreadable plate: no owner look-up is tried.
 */
const PLATE =
  /^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]$/;

export function isReadablePlate(plate: string): boolean {
  return PLATE.test(normalizePlate(plate));
}
