import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type ApiError, TillError } from '../../../../shared/errors.ts';
import { parseMoney } from '../../../../shared/money.ts';
import type { ShiftReport, ShiftSummary } from '../../../../shared/shift.ts';
import type { Override, Permission } from '../../../../shared/staff.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { ManagerOverride } from '../../components/ManagerOverride.tsx';
import { useMoney } from '../../format.ts';
import { call, useSession } from '../../session.ts';
import { ShiftReportView } from './ShiftReportView.tsx';

type Pane = 'summary' | 'in' | 'out' | 'noSale' | 'close';

/** The shift at the till: cash in and out, no-sale, X report, and closing with a blind count. */
export function ShiftDialog({ onClose, onClosed }: { onClose: () => void; onClosed: () => void }) {
  const { t } = useTranslation();
  const money = useMoney();
  const currency = useSession((s) => s.settings?.currency ?? 'EUR');
  const [shift, setShift] = useState<ShiftSummary | null>(null);
  const [pane, setPane] = useState<Pane>('summary');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [report, setReport] = useState<ShiftReport | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [override, setOverride] = useState<{ permission: Permission; retry: (o: Override) => void } | null>(null);
  const [closed, setClosed] = useState(false);

  const load = () => void call('shift.current', {}).then((r) => r.ok && setShift(r.value));
  useEffect(load, []);

  function money$(text: string): number | null {
    try {
      return parseMoney(text, currency);
    } catch (e) {
      if (e instanceof TillError) setError(e.toApiError());
      return null;
    }
  }

  async function act(o?: Override) {
    setError(null);
    if (pane === 'in' || pane === 'out') {
      const value = money$(amount);
      if (value === null) return;
      const r = await call('shift.cashMovement', { kind: pane, amount: value, reason });
      if (!r.ok) return setError(r.error);
    } else if (pane === 'noSale') {
      const r = await call('shift.noSale', { reason, ...(o ? { override: o } : {}) });
      if (!r.ok) {
        if (r.error.reason === 'needs_manager') return setOverride({ permission: 'no_sale', retry: (x) => void act(x) });
        return setError(r.error);
      }
      void call('printer.kickDrawer', {});
    } else if (pane === 'close') {
      const value = money$(amount);
      if (value === null) return;
      const r = await call('shift.close', { counted: value, ...(o ? { override: o } : {}) });
      if (!r.ok) {
        if (r.error.reason === 'needs_manager') return setOverride({ permission: 'close_shift', retry: (x) => void act(x) });
        return setError(r.error);
      }
      setReport(r.value.zReport);
      setClosed(true);
      return;
    }
    setAmount('');
    setReason('');
    setPane('summary');
    load();
  }

  async function xReport() {
    const r = await call('shift.xReport', {});
    if (r.ok) setReport(r.value);
    else setError(r.error);
  }

  return (
    <Dialog title={t('shiftDesk.title')} onClose={closed ? onClosed : onClose} wide>
      {report ? (
        <>
          <ShiftReportView report={report} />
          <div className="actions">
            <button type="button" onClick={() => window.print()}>
              {t('shiftDesk.print')}
            </button>
            <button type="button" className="primary" onClick={closed ? onClosed : () => setReport(null)}>
              {closed ? t('common.close') : t('common.back')}
            </button>
          </div>
        </>
      ) : (
        <>
          {shift && pane === 'summary' && (
            <dl className="facts">
              <dt>{t('shiftDesk.openedBy')}</dt>
              <dd>
                {shift.openedBy.name} · {new Date(shift.openedAt).toLocaleTimeString()}
              </dd>
              <dt>{t('shiftDesk.sales')}</dt>
              <dd>
                {shift.sales.count} · {money(shift.sales.total)}
              </dd>
              <dt>{t('shiftDesk.float')}</dt>
              <dd>{money(shift.float)}</dd>
              <dt>{t('shiftDesk.expected')}</dt>
              <dd>{shift.expectedCash === null ? t('shiftDesk.blind') : money(shift.expectedCash)}</dd>
            </dl>
          )}
          {pane === 'summary' ? (
            <div className="till-actions">
              <button type="button" onClick={() => setPane('in')}>
                {t('shiftDesk.cashIn')}
              </button>
              <button type="button" onClick={() => setPane('out')}>
                {t('shiftDesk.cashOut')}
              </button>
              <button type="button" onClick={() => setPane('noSale')}>
                {t('shiftDesk.noSale')}
              </button>
              <button type="button" onClick={() => void xReport()}>
                {t('shiftDesk.xReport')}
              </button>
              <button type="button" className="danger" onClick={() => setPane('close')}>
                {t('shiftDesk.closeShift')}
              </button>
            </div>
          ) : (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                void act();
              }}
            >
              <h3>
                {t(
                  `shiftDesk.${pane === 'close' ? 'closeShift' : pane === 'in' ? 'cashIn' : pane === 'out' ? 'cashOut' : 'noSale'}`,
                )}
              </h3>
              {pane === 'close' && <p>{t('shiftDesk.blindExplain')}</p>}
              {pane !== 'noSale' && (
                <div className="field">
                  <label htmlFor="shift-amount">{t(pane === 'close' ? 'shiftDesk.countedCash' : 'pay.amount')}</label>
                  <input
                    id="shift-amount"
                    inputMode="decimal"
                    autoComplete="off"
                    value={amount}
                    onChange={(e) => setAmount(e.target.value)}
                    autoFocus
                  />
                </div>
              )}
              {pane !== 'close' && (
                <div className="field">
                  <label htmlFor="shift-reason">{t('returns.reason')}</label>
                  <input id="shift-reason" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={200} />
                </div>
              )}
              <div className="actions">
                <button type="button" onClick={() => setPane('summary')}>
                  {t('common.back')}
                </button>
                <button type="submit" className="primary">
                  {t('common.apply')}
                </button>
              </div>
            </form>
          )}
        </>
      )}
      <ErrorMessage error={error} />
      {pane === 'summary' && !report && (
        <div className="actions">
          <button type="button" onClick={onClose}>
            {t('common.close')}
          </button>
        </div>
      )}
      {override && (
        <ManagerOverride
          permission={override.permission}
          onApproved={(o) => {
            const retry = override.retry;
            setOverride(null);
            retry(o);
          }}
          onCancel={() => setOverride(null)}
        />
      )}
    </Dialog>
  );
}
