declare module 'dmn-moddle' {
  export class DmnModdle {
    constructor(packages?: Record<string, unknown>, options?: Record<string, unknown>);
    fromXML(
      xml: string,
      typeName?: string,
    ): Promise<{
      rootElement: any;
      warnings: { message: string }[];
      references: unknown[];
      elementsById: Record<string, any>;
    }>;
  }
}
