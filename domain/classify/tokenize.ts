/**
 * Tokenisation for Chinese complaint text. Three kinds of terms, kept apart by a prefix so each
 * can be weighted on its own:
 *  - `w:` words from `Intl.Segmenter('zh', {granularity: 'word'})` (ICU's dictionary segmenter);
 *  - `b:` character bigrams of every Han run — robust where ICU mis-segments colloquial text,
 *    typos or domain words it does not know (窨井盖, 飞线充电);
 *  - `u:` single Han characters, weak evidence that still links 狗/犬, 坟/墓 to one-character keywords.
 * Latin and digit runs (KTV, LED, 3C) become `w:` words.
 */

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

/** Function words and complaint boiler-plate that say nothing about the matter. */
const STOP_WORDS = new Set([
  '的',
  '了',
  '是',
  '在',
  '我',
  '我们',
  '你',
  '你们',
  '他',
  '她',
  '它',
  '他们',
  '这',
  '那',
  '这个',
  '那个',
  '有',
  '没有',
  '也',
  '都',
  '就',
  '还',
  '又',
  '和',
  '与',
  '及',
  '或',
  '把',
  '被',
  '让',
  '给',
  '对',
  '从',
  '到',
  '向',
  '很',
  '太',
  '非常',
  '一直',
  '已经',
  '现在',
  '今天',
  '昨天',
  '每天',
  '天天',
  '请',
  '请问',
  '希望',
  '麻烦',
  '谢谢',
  '你好',
  '您好',
  '相关',
  '部门',
  '反映',
  '投诉',
  '举报',
  '问题',
  '情况',
  '处理',
  '解决',
  '一下',
  '一个',
  '什么',
  '怎么',
  '怎么办',
  '为什么',
  '能不能',
  '可以',
  '能否',
  '要求',
  '尽快',
  '管管',
  '不管',
  '没人',
  '吗',
  '呢',
  '吧',
  '啊',
  '呀',
  '哦',
  '嘛',
  '啦',
  '么',
  '着',
  '过',
  '得',
  '地',
  '但是',
  '可是',
  '而且',
  '因为',
  '所以',
  '如果',
  '然后',
  '多次',
  '好几次',
  '几次',
  '严重',
  '影响',
  '一些',
  '这样',
  '那样',
  '还是',
  '不是',
  '就是',
  '自己',
  '家里',
  '我家',
  '市民',
  '居民',
]);
const STOP_CHARS = new Set([
  ...'的了是在我你他她它这那有也都就还又和与及或把被让给对从到向很太吗呢吧啊呀哦嘛啦么着过得地一不个们人',
]);

const HAN_RUN = /[\u3400-\u9fff\uf900-\ufaff]+/g;

/** NFKC folds full-width letters, digits and punctuation; lower-casing folds KTV/ktv. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

export interface TokenOptions {
  /** Emit `u:` single-character terms (default true). */
  unigrams?: boolean;
}

/** Terms of a text, in order, duplicates kept (term frequency matters to BM25). */
export function tokenize(text: string, opts: TokenOptions = {}): string[] {
  const norm = normalizeText(text);
  const terms: string[] = [];
  for (const seg of segmenter.segment(norm)) {
    if (!seg.isWordLike) continue;
    const w = seg.segment.trim();
    if (w === '' || STOP_WORDS.has(w) || (w.length === 1 && STOP_CHARS.has(w))) continue;
    terms.push(`w:${w}`);
  }
  for (const run of norm.match(HAN_RUN) ?? []) {
    for (let i = 0; i + 1 < run.length; i++) terms.push(`b:${run.slice(i, i + 2)}`);
    if (opts.unigrams !== false) {
      for (const ch of run) if (!STOP_CHARS.has(ch)) terms.push(`u:${ch}`);
    }
  }
  return terms;
}

/** Counts terms: term → frequency. */
export function termFrequencies(terms: string[]): Map<string, number> {
  const tf = new Map<string, number>();
  for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
  return tf;
}
