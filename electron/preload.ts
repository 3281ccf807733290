/**
 * Exposes one function per contract operation and one subscribe; nothing else.
 * Runs sandboxed: only `electron`'s renderer modules are available, the rest is bundled.
 */
import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron';
import { isEventName, operationNames } from '../shared/api.ts';
import { ipcChannels } from './channels.ts';

const ops = Object.fromEntries(
  operationNames.map((name) => [name, (input: unknown) => ipcRenderer.invoke(ipcChannels.call, name, input)]),
);

contextBridge.exposeInMainWorld('tilldesk', {
  ops,
  subscribe(name: string, listener: (payload: unknown) => void): () => void {
    if (!isEventName(name)) throw new Error(`Unknown event: ${name}`);
    const handler = (_event: IpcRendererEvent, eventName: string, payload: unknown) => {
      if (eventName === name) listener(payload);
    };
    ipcRenderer.on(ipcChannels.event, handler);
    return () => ipcRenderer.removeListener(ipcChannels.event, handler);
  },
});
