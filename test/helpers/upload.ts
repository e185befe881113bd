import type { Result } from './graphql.js';

export const UPLOAD_MUTATION = 'mutation ($file: File!) { uploadImage(file: $file) { id byteSize expiresAt } }';

/** `uploadImage` as a GraphQL multipart request, with an API key when given. */
export async function uploadFile(graphqlUrl: string, file: Buffer, key?: string): Promise<Result & { status: number }> {
  const form = new FormData();
  form.set('operations', JSON.stringify({ query: UPLOAD_MUTATION, variables: { file: null } }));
  form.set('map', JSON.stringify({ 0: ['variables.file'] }));
  form.set('0', new Blob([new Uint8Array(file)]), 'photo.bin');
  const headers: Record<string, string> = { 'x-graphql-yoga-csrf': '1' };
  if (key) headers.authorization = `Bearer ${key}`;
  const response = await fetch(graphqlUrl, { method: 'POST', body: form, headers });
  return Object.assign((await response.json()) as Result, { status: response.status });
}
