/**
 * Routes that take a binary body besides JSON: the media types their content-type parser
 * accepts (raw Buffer bodies, up to MAX_BODY_BYTES) and how the OpenAPI document describes
 * them. The zod body schema of such a route describes its JSON form; a Buffer body passes
 * validation untouched and the route decodes it.
 */
export const BINARY_BODIES = {
  '/v1/signals': {
    types: ['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave'],
    description:
      'A WAV file: PCM 8 (unsigned), 16, 24 or 32 bit, or IEEE float 32/64; any number of channels, mixed down to mono',
  },
  '/v1/analyze/filterbank': {
    types: ['application/octet-stream', 'application/x-npz', 'application/zip', 'application/x-safetensors'],
    description:
      'A weights file of shape (J, T) or (J, 1, T): NumPy .npy (v1–v3, C order, float32 or float64), .npz (np.savez or ' +
      'np.savez_compressed; choose the array with ?array=) or .safetensors (F16, BF16, F32, F64; choose the tensor with ' +
      '?tensor=). application/octet-stream is recognised by its first bytes; stride and signalLength as query parameters',
  },
} as const satisfies Record<string, { types: readonly string[]; description: string }>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Media types the route accepts, for the 415 problem's detail; default application/json. */
    accepts?: readonly string[];
  }
}
