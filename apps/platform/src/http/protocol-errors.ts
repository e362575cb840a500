// Requests Node's HTTP parser refuses before any route sees them (headers over 16 KiB, a
// malformed request line): answered with the error envelope and a request id, written to the
// socket by hand since there is no request to answer through.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ErrorCode, PlatformError } from '@hla-compass/platform-api';

interface ProtocolAnswer {
  status: number;
  reason: string;
  code: ErrorCode;
  message: string;
}

/**
 * The status keeps HTTP's meaning (431, 408); the code is the nearest one of the platform's
 * vocabulary, so that a client reading the envelope sees what went wrong.
 */
function answerFor(error: NodeJS.ErrnoException): ProtocolAnswer {
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return {
      status: 431,
      reason: 'Request Header Fields Too Large',
      code: 'PAYLOAD_TOO_LARGE',
      message: 'Request headers are too large (over 16 KiB)',
    };
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return {
      status: 408,
      reason: 'Request Timeout',
      code: 'INVALID_REQUEST',
      message: 'The request did not arrive in time',
    };
  }
  return {
    status: 400,
    reason: 'Bad Request',
    code: 'INVALID_REQUEST',
    message: `Malformed HTTP request (${error.code ?? 'parse error'})`,
  };
}

export function protocolErrorResponse(error: NodeJS.ErrnoException, requestId: string): string {
  const answer = answerFor(error);
  const body = JSON.stringify(new PlatformError(answer.code, answer.message).toBody(requestId));
  return [
    `HTTP/1.1 ${answer.status} ${answer.reason}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Request-Id: ${requestId}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

export function answerProtocolErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A peer that went away, or a socket already answering, cannot take a response.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(protocolErrorResponse(error, `req_${randomUUID()}`));
  });
}
