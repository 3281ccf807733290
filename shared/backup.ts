import { z } from 'zod';
import { operation } from './contract.ts';

export interface BackupFile {
  file: string;
  path: string;
  bytes: number;
  createdAt: string;
}

export const backupOperations = {
  'backup.now': operation<BackupFile>()(z.object({}).strict(), 'staff'),
  'backup.list': operation<BackupFile[]>()(z.object({}).strict(), 'staff'),
};
