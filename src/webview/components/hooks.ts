import { useEffect, useState } from 'preact/hooks';
import type { EditorStore } from '../store';

/** Re-renders the component whenever the store changes. */
export function useStore(store: EditorStore): EditorStore {
  const [, setVersion] = useState(store.version);
  useEffect(() => store.subscribe(() => setVersion(store.version)), [store]);
  return store;
}
