import { tokenize } from '../../domain/classify/tokenize';

describe('tokenize', () => {
  it('emits ICU words, Han bigrams and unigrams, without stop words', () => {
    // when
    const terms = tokenize('楼上天天噪音扰民');
    // then
    expect(terms).toEqual(expect.arrayContaining(['w:楼上', 'w:噪音', 'b:噪音', 'b:音扰', 'u:噪']));
    expect(terms).not.toContain('w:天天');
  });

  it('folds full-width Latin and case', () => {
    expect(tokenize('ＫＴＶ太吵')).toContain('w:ktv');
    expect(tokenize('KTV太吵')).toContain('w:ktv');
  });

  it('drops punctuation and returns nothing for an empty text', () => {
    expect(tokenize('！！！，。')).toEqual([]);
    expect(tokenize('')).toEqual([]);
  });
});
