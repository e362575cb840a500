// The one failure every test service reports when it cannot be had: tests fail with it
// (in CI and out), and its message says how to provide the service.

export class ServiceUnavailableError extends Error {
  readonly code = 'SERVICE_UNAVAILABLE';
  readonly service: string;

  constructor(service: string, message: string) {
    super(`${service} is unavailable: ${message}`);
    this.name = 'ServiceUnavailableError';
    this.service = service;
  }
}
