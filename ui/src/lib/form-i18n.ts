/**
 * form-js in Chinese: the viewer's `translate` service (didi module, passed as an additional module)
 * answers our Chinese for its built-in texts (validation messages, search box, buttons), and the
 * few texts form-js 2.0.0 renders without `translate` (the select's "Select" placeholder, the
 * searchable select's "Search" placeholder) are rewritten in place. English mode keeps form-js's
 * own texts. Text nodes are edited (never replaced) so Preact's later updates still land.
 */
import { lang, onLang } from './i18n';

const ZH: Record<string, string> = {
  Select: '请选择',
  Search: '搜索',
  'Field is required.': '此项为必填。',
  'Field must be a valid email.': '请输入有效的电子邮箱。',
  'Field must be a valid international phone number. (e.g. +4930664040900)':
    '请输入有效的国际电话号码（如 +8657487654321）。',
  'Field must have minimum length of {value}.': '至少 {value} 个字符。',
  'Field must have maximum length of {value}.': '最多 {value} 个字符。',
  'Field must have minimum value of {value}.': '不能小于 {value}。',
  'Field must have maximum value of {value}.': '不能大于 {value}。',
  'Field must match pattern {value}.': '格式不符合要求（{value}）。',
  'Value is not a number.': '请输入数字。',
  'Value is expected to be an integer.': '请输入整数。',
  'Value is expected to have at most 1 decimal digit.': '最多 1 位小数。',
  'Value is expected to have at most {value} decimal digits.': '最多 {value} 位小数。',
  'Please select a valid value, the two nearest valid values are {previousValue} and {nextValue}.':
    '请输入有效值，最接近的是 {previousValue} 和 {nextValue}。',
  'Date and time must both be entered.': '日期和时间都要填写。',
  'Max validation value is not a valid number.': '最大值设置不是有效数字。',
  'Min validation value is not a valid number.': '最小值设置不是有效数字。',
  Increment: '增加',
  Decrement: '减少',
  'Skip to search': '跳到搜索框',
  'Remove tag': '移除',
  'No results': '没有匹配项',
  'All values selected': '已全部选中',
  'No content to show.': '没有可显示的内容。',
  'Nothing to show.': '没有可显示的内容。',
  "External content couldn't be loaded.": '外部内容无法加载。',
  'Add new': '新增',
  Collapse: '收起',
  'Expand all ({value})': '全部展开（{value}）',
  'Previous page': '上一页',
  'Next page': '下一页',
  '{page} of {total}': '第 {page} / {total} 页',
  'Click to remove sorting': '点击取消排序',
  'Click to sort by {value} descending': '点击按{value}降序排列',
  'Click to sort by {value} ascending': '点击按{value}升序排列',
  'No files selected': '未选择文件',
  '{value} files selected': '已选择 {value} 个文件',
  'Document reference is not defined.': '未设置文档引用。',
  'Unable to download document': '无法下载文档',
  'Download {fileName}': '下载 {fileName}',
};

/** form-js's `translate(template, replacements)` in the page's language. */
export function formTranslate(template: string, replacements?: Record<string, unknown>): string {
  const s = lang() === 'zh' ? (ZH[template] ?? template) : template;
  return s.replace(/{([^}]+)}/g, (_, key: string) =>
    replacements?.[key] != null && replacements[key] !== '' ? String(replacements[key]) : `{${key}}`,
  );
}

/** Pass as `additionalModules` to `new Form(...)` (it overrides form-js's TranslateModule). */
export const formI18nModule = { translate: ['value', formTranslate] };

const SELECT_TEXTS = new Set(['Select', ZH.Select]);
const SEARCH_TEXTS = new Set(['Search', ZH.Search]);

function localize(root: HTMLElement): void {
  for (const el of root.querySelectorAll<HTMLElement>('.fjs-select-placeholder')) {
    const text = el.firstChild;
    if (text?.nodeType === Node.TEXT_NODE && SELECT_TEXTS.has((text as Text).data)) {
      const want = formTranslate('Select');
      if ((text as Text).data !== want) (text as Text).data = want;
    }
  }
  for (const input of root.querySelectorAll<HTMLInputElement>('input[placeholder]')) {
    if (SEARCH_TEXTS.has(input.placeholder) && input.placeholder !== formTranslate('Search'))
      input.placeholder = formTranslate('Search');
  }
}

/** Keeps the untranslatable form-js texts under `root` in the page's language; returns a stop function. */
export function localizeFormDom(root: HTMLElement): () => void {
  localize(root);
  const observer = new MutationObserver(() => localize(root));
  observer.observe(root, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: ['placeholder', 'class'],
  });
  let active = true;
  onLang(() => active && localize(root));
  return () => {
    active = false;
    observer.disconnect();
  };
}
