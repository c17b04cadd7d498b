/** Reading requests and writing JSON answers, the way Google's front ends do. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody as readCapped } from '../http.js';

const MAX_BODY = 64 * 1024;

/** A JSON answer with Google's content type. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

/** The request body as text (at most 64 KiB). */
export function readBody(req: IncomingMessage): Promise<string> {
  return readCapped(req, MAX_BODY);
}
