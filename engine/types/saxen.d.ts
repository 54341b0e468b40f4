declare module 'saxen' {
  /** saxen's streaming XML parser (a loop over the text: no recursion, whatever the nesting). */
  export class Parser {
    constructor(options?: { proxy?: boolean });
    ns(map: Record<string, string>): void;
    on(event: 'openTag', cb: (name: string, attrs: () => Record<string, string>, ...rest: any[]) => void): this;
    on(event: 'closeTag', cb: (name: string, ...rest: any[]) => void): this;
    on(event: 'text', cb: (text: string, decode: (s: string) => string) => void): this;
    on(event: 'cdata' | 'comment' | 'question' | 'attention', cb: (text: string, ...rest: any[]) => void): this;
    on(event: 'error' | 'warn', cb: (err: Error, getContext: () => unknown) => void): this;
    parse(xml: string): this;
    stop(): void;
  }
}
