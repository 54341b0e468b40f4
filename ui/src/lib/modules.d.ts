declare module '@camunda/linting' {
  export class Linter {
    constructor(options?: { modeler?: 'web' | 'desktop'; type?: 'cloud' | 'platform'; plugins?: unknown[] });
    lint(
      definitions: unknown,
    ): Promise<Array<{ id: string; message: string; category: string; rule: string; path?: unknown }>>;
  }
}
declare module '@camunda/linting/modeler' {
  const module: any;
  export default module;
}
declare module 'camunda-bpmn-js/lib/camunda-cloud/Modeler' {
  const Modeler: any;
  export default Modeler;
}
declare module 'bpmn-js/lib/NavigatedViewer' {
  const NavigatedViewer: any;
  export default NavigatedViewer;
}
declare module '@bpmn-io/form-js-editor/dist/assets/form-js-editor.css';
