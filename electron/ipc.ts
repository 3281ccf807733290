import type { Api } from '../db/dispatch.ts';
import type { Result } from '../shared/errors.ts';
import { isTrustedSender } from './guards.ts';

/**
 * The main-process side of a call, free of Electron types so it is tested under Node:
 * the sender frame is checked, then the one dispatcher does lookup, validation and the call.
 */
export function handleIpcCall(
  api: Api,
  sender: { url: string | undefined; isMainFrame: boolean },
  name: unknown,
  input: unknown,
): Promise<Result<unknown>> {
  if (!isTrustedSender(sender.url, sender.isMainFrame)) {
    return Promise.resolve({
      ok: false,
      error: { code: 'forbidden', reason: 'untrusted_sender', message: 'IPC from an untrusted frame was refused' },
    });
  }
  return api.call(name, input);
}
