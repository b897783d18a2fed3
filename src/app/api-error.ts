/** Errors the kiosk UI API throws for refused requests; the message is shown to the user. */
export type ApiErrorCode = 'unauthorized' | 'not-found' | 'refused' | 'unavailable';

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
