/**
 * Open311 errors (GeoReport v2, "Errors"): the HTTP status is 404 for a resource that does not
 * exist, 403 for a missing or wrong `api_key`, 400 for everything else; the body is a list of
 * `{code, description}`, where `code` may be more specific than the status.
 */
export interface Open311ErrorItem {
  code: number;
  description: string;
}

export class Open311Error extends Error {
  constructor(
    readonly status: 400 | 403 | 404,
    readonly errors: Open311ErrorItem[],
  ) {
    super(errors.map((e) => `${e.code}: ${e.description}`).join('; '));
    this.name = 'Open311Error';
  }

  static badRequest(...descriptions: string[]): Open311Error {
    return new Open311Error(
      400,
      descriptions.map((description) => ({ code: 400, description })),
    );
  }
  static forbidden(description: string): Open311Error {
    return new Open311Error(403, [{ code: 403, description }]);
  }
  static notFound(description: string): Open311Error {
    return new Open311Error(404, [{ code: 404, description }]);
  }
}
