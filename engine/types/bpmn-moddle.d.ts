declare module 'bpmn-moddle' {
  export class BpmnModdle {
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
    toXML(element: any, options?: Record<string, unknown>): Promise<{ xml: string }>;
  }
}
