/** The two IPC channels: calls into the store, and pushes out of it. */
export const ipcChannels = {
  call: 'tilldesk:call',
  event: 'tilldesk:event',
} as const;
