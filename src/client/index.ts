// `import { FbstabClient } from 'fbstab/client'` (package.json "exports"; docs/api.md "Client").
export { FbstabClient } from './fbstab-client.js';
export type {
  CallOptions,
  FbstabClientOptions,
  FileBytes,
  RetryEvent,
  RetryOptions,
  SubmitOptions,
  WaitOptions,
} from './fbstab-client.js';
export { FbstabConnectionError } from './fbstab-connection-error.js';
export { FbstabProblemError } from './fbstab-problem-error.js';
export { FINAL_STATUSES } from './client-types.js';
export type * from './client-types.js';
