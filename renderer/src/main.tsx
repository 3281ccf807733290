import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { App } from './App.tsx';
import { bridge } from './bridge.ts';
import { i18n, setLanguage } from './i18n/index.ts';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

// The language is a till setting kept in the store; apply it before the first paint.
void bridge.call('settings.get', {}).then((result) => {
  if (result.ok) setLanguage(result.value.language);
  createRoot(root).render(
    <StrictMode>
      <I18nextProvider i18n={i18n}>
        <App />
      </I18nextProvider>
    </StrictMode>,
  );
});
