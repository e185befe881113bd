/**
 * The gateway's API key, when the server has API_KEYS set. Kept in
 * localStorage so a phone does not ask again each visit; "Forget" removes it.
 */
const STORAGE_KEY = 'vision.apiKey';

type Listener = (key: string | undefined) => void;
const listeners = new Set<Listener>();

function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    // Storage can be blocked (privacy settings, sandboxed frames): the key then lives for this page only.
    return undefined;
  }
}

let current: string | undefined = storage()?.getItem(STORAGE_KEY) ?? undefined;

export function getApiKey(): string | undefined {
  return current;
}

export function setApiKey(key: string | undefined): void {
  current = key?.trim() || undefined;
  if (current) storage()?.setItem(STORAGE_KEY, current);
  else storage()?.removeItem(STORAGE_KEY);
  for (const listener of listeners) listener(current);
}

export function onApiKeyChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The value the gateway reads from the Authorization header and from graphql-ws connectionParams. */
export function authorization(): string | undefined {
  return current ? `Bearer ${current}` : undefined;
}
