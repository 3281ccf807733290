import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../../shared/errors.ts';
import type { TillSettings } from '../../../../shared/settings.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { call } from '../../session.ts';
import { useSettingsForm } from './use-settings-form.ts';

/** Where receipts print: the system printer (or the browser's dialog), or an ESC/POS printer on the network. */
export function PrinterSettings({ settings }: { settings: TillSettings }) {
  const { t } = useTranslation();
  const { save, error, saved } = useSettingsForm();
  const printer = settings.printer;
  const [kind, setKind] = useState(printer.kind);
  const [host, setHost] = useState(printer.kind === 'escpos' ? printer.host : '');
  const [port, setPort] = useState(String(printer.kind === 'escpos' ? printer.port : 9100));
  const [width, setWidth] = useState(String(printer.kind === 'escpos' ? printer.width : 42));
  const [deviceName, setDeviceName] = useState(printer.kind === 'system' ? (printer.deviceName ?? '') : '');
  const [testError, setTestError] = useState<ApiError | null>(null);
  const [tested, setTested] = useState(false);

  async function test() {
    setTested(false);
    const result = await call('printer.test', {});
    if (result.ok) setTested(true);
    setTestError(result.ok ? null : result.error);
  }

  return (
    <form
      className="panel settings-form"
      aria-labelledby="printer-settings"
      onSubmit={(e) => {
        e.preventDefault();
        void save({
          printer:
            kind === 'escpos'
              ? { kind, host, port: Number(port), width: Number(width) as 32 | 42 | 48 }
              : { kind, ...(deviceName ? { deviceName } : {}) },
        });
      }}
    >
      <h2 id="printer-settings">{t('settingsDesk.printer')}</h2>
      <fieldset className="tender-kinds">
        <legend>{t('settingsDesk.printerKind')}</legend>
        <button type="button" aria-pressed={kind === 'system'} onClick={() => setKind('system')}>
          {t('settingsDesk.systemPrinter')}
        </button>
        <button type="button" aria-pressed={kind === 'escpos'} onClick={() => setKind('escpos')}>
          {t('settingsDesk.escposPrinter')}
        </button>
      </fieldset>
      {kind === 'system' ? (
        <div className="field">
          <label htmlFor="p-device">{t('settingsDesk.deviceName')}</label>
          <input id="p-device" value={deviceName} onChange={(e) => setDeviceName(e.target.value)} />
        </div>
      ) : (
        <div className="row">
          <div className="field">
            <label htmlFor="p-host">{t('settingsDesk.printerHost')}</label>
            <input id="p-host" value={host} onChange={(e) => setHost(e.target.value)} placeholder="192.168.1.50" />
          </div>
          <div className="field">
            <label htmlFor="p-port">{t('settingsDesk.printerPort')}</label>
            <input id="p-port" inputMode="numeric" value={port} onChange={(e) => setPort(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="p-width">{t('settingsDesk.paperWidth')}</label>
            <select id="p-width" value={width} onChange={(e) => setWidth(e.target.value)}>
              {[32, 42, 48].map((w) => (
                <option key={w} value={w}>
                  {t('settingsDesk.columns', { count: w })}
                </option>
              ))}
            </select>
          </div>
        </div>
      )}
      <ErrorMessage error={error ?? testError} />
      {saved && <output className="saved">{t('settingsDesk.saved')}</output>}
      {tested && <output className="saved">{t('settingsDesk.testSent')}</output>}
      <div className="actions">
        <button type="button" onClick={() => void test()}>
          {t('settingsDesk.testPrint')}
        </button>
        <button type="submit" className="primary">
          {t('common.save')}
        </button>
      </div>
    </form>
  );
}
