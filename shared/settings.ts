import { z } from 'zod';
import { operation } from './contract.ts';

export const languages = ['en', 'zh-CN'] as const;
export type Language = (typeof languages)[number];

export const tillSettingsSchema = z.object({
  language: z.enum(languages),
});
export type TillSettings = z.infer<typeof tillSettingsSchema>;

export const defaultTillSettings: TillSettings = { language: 'en' };

export const settingsOperations = {
  'settings.get': operation<TillSettings>()(z.object({}).strict()),
  'settings.update': operation<TillSettings>()(tillSettingsSchema.partial().strict()),
};
