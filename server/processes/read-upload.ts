/**
 * Reads an uploaded file from a request: `multipart/form-data` (the first file part, plus the text
 * fields) or a raw body (`text/csv`, XLSX, BPMN XML, form JSON…) named by `?filename=` or the
 * `Content-Disposition` header. Size-capped; anything malformed is a 400 problem.
 */
import type { Request } from 'express';
import Busboy from 'busboy';
import { HttpProblem } from '../http/problem';

export interface Upload {
  filename: string;
  contentType: string;
  data: Buffer;
  /** Text fields of a multipart form. */
  fields: Record<string, string>;
}

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

const tooLarge = () => new HttpProblem(413, 'Payload Too Large', `The upload exceeds ${MAX_UPLOAD_BYTES} bytes.`);

function filenameFromDisposition(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const star = /filename\*=(?:UTF-8'')?([^;]+)/i.exec(header)?.[1];
  if (star) {
    try {
      return decodeURIComponent(star.trim().replace(/^"|"$/g, ''));
    } catch {
      return undefined;
    }
  }
  return /filename="?([^";]+)"?/i.exec(header)?.[1]?.trim();
}

function readRaw(req: Request): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_UPLOAD_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge());
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function readMultipart(req: Request): Promise<Upload> {
  return new Promise((resolve, reject) => {
    let bb: Busboy.Busboy;
    try {
      bb = Busboy({
        headers: req.headers,
        limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 20, fieldSize: 10_000 },
      });
    } catch (err) {
      reject(
        HttpProblem.badRequest(`The multipart body cannot be read: ${(err as Error).message}`, [
          { field: 'file', message: 'malformed multipart body' },
        ]),
      );
      return;
    }
    const fields: Record<string, string> = {};
    let file: Upload | undefined;
    let failed: HttpProblem | undefined;
    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('file', (_name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => {
        failed = tooLarge();
      });
      stream.on('end', () => {
        file = {
          filename: info.filename ?? 'upload',
          contentType: info.mimeType ?? 'application/octet-stream',
          data: Buffer.concat(chunks),
          fields,
        };
      });
    });
    bb.on('error', (err) =>
      reject(
        HttpProblem.badRequest(`The multipart body cannot be read: ${(err as Error).message}`, [
          { field: 'file', message: 'malformed multipart body' },
        ]),
      ),
    );
    bb.on('close', () => {
      if (failed) return reject(failed);
      if (!file)
        return reject(
          HttpProblem.badRequest('The multipart form carries no file.', [
            { field: 'file', message: 'expected a file part' },
          ]),
        );
      resolve({ ...file, fields });
    });
    req.pipe(bb);
  });
}

/** The uploaded file; `fallbackName` when a raw body is not named. */
export async function readUpload(req: Request, fallbackName: string): Promise<Upload> {
  const type = String(req.headers['content-type'] ?? 'application/octet-stream');
  if (/^multipart\/form-data/i.test(type)) return readMultipart(req);
  if (/^application\/json/i.test(type) && req.body !== undefined) {
    // express.json() already consumed a JSON body (a .form upload): hand back its bytes as sent (a
    // re-serialised deeply nested body would overflow the stack).
    return {
      filename: String(req.query.filename ?? fallbackName),
      contentType: type,
      data: (req as unknown as { rawBody?: Buffer }).rawBody ?? Buffer.from(JSON.stringify(req.body)),
      fields: {},
    };
  }
  const data = await readRaw(req);
  if (data.length === 0)
    throw HttpProblem.badRequest('The request carries no file.', [
      { field: 'body', message: 'expected a file as the body or a multipart form' },
    ]);
  const name =
    typeof req.query.filename === 'string' && req.query.filename
      ? req.query.filename
      : (filenameFromDisposition(req.get('content-disposition')) ?? fallbackName);
  return { filename: name, contentType: type, data, fields: {} };
}
