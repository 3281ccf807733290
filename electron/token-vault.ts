import { safeStorage } from 'electron';
import { settingTokenVault, type TokenVault } from '../db/sync.ts';
import type { Till } from '../db/till.ts';

/**
 * The sync server's device token, encrypted with the OS keychain (safeStorage) before it
 * is written to the store, so a copied database file does not carry a usable token.
 * Where the OS offers no encryption the token is not kept: the till enrols again.
 */
export function safeStorageVault(till: Till): TokenVault {
  const plain = settingTokenVault(till);
  return {
    get() {
      const stored = plain.get();
      if (!stored || !safeStorage.isEncryptionAvailable()) return null;
      try {
        return safeStorage.decryptString(Buffer.from(stored, 'base64'));
      } catch {
        return null;
      }
    },
    set(token) {
      if (token === null || !safeStorage.isEncryptionAvailable()) plain.set(null);
      else plain.set(safeStorage.encryptString(token).toString('base64'));
    },
  };
}
