import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Settlement, settle, type TenderInput, type TenderKind, tenderKinds } from '../../../../shared/cash.ts';
import { type ApiError, TillError } from '../../../../shared/errors.ts';
import { minorDigits, parseMoney } from '../../../../shared/money.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useMoney } from '../../format.ts';
import { useSession } from '../../session.ts';
import { useCart } from './cart-store.ts';

const notes = [5, 10, 20, 50, 100];

/** What the tenders so far settle to, or how much is still short. */
function preview(
  total: number,
  tenders: TenderInput[],
  step: number,
): { settlement: Settlement | null; short: number; error: ApiError | null } {
  try {
    return { settlement: settle(total, tenders, step), short: 0, error: null };
  } catch (error) {
    if (error instanceof TillError) {
      const short = error.reason === 'tender_short' ? Number(error.params?.short ?? 0) : 0;
      return { settlement: null, short, error: error.reason === 'tender_short' ? null : error.toApiError() };
    }
    throw error;
  }
}

/**
 * Take payment: cash with change, card with the terminal's approval code, vouchers, split across
 * several. Closes once the store has the sale — or, when it cannot save right now, once the
 * payment is kept to be saved (the till's banner says so; the sale is not complete until then).
 */
export function PaymentDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const money = useMoney();
  const settings = useSession((s) => s.settings);
  const currency = settings?.currency ?? 'EUR';
  const step = settings?.cashRoundingStep ?? 1;
  const total = useCart((s) => s.order?.total ?? 0);
  const complete = useCart((s) => s.complete);
  const storeError = useCart((s) => s.error);
  const [tenders, setTenders] = useState<TenderInput[]>([]);
  const [kind, setKind] = useState<TenderKind>('cash');
  const [amountText, setAmountText] = useState('');
  const [reference, setReference] = useState('');
  const [inputError, setInputError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const state = preview(total, tenders, step);
  const unit = 10 ** minorDigits(currency);

  function add(tender: TenderInput): TenderInput[] {
    const next = [...tenders, tender];
    setTenders(next);
    setAmountText('');
    setReference('');
    setInputError(null);
    return next;
  }

  function addTyped(): TenderInput[] | null {
    let amount: number;
    try {
      amount = amountText.trim() === '' ? state.short : parseMoney(amountText, currency);
    } catch (error) {
      if (error instanceof TillError) setInputError(error.toApiError());
      return null;
    }
    if (amount <= 0) return tenders;
    return add({ kind, amount, ...(reference.trim() ? { reference: reference.trim() } : {}) });
  }

  async function pay(list: TenderInput[]) {
    const settlement = preview(total, list, step).settlement;
    if (!settlement) return;
    setBusy(true);
    const done = await complete(list, { total: settlement.due, change: settlement.change });
    setBusy(false);
    if (done) onClose();
  }

  const quickCash = [state.short, ...notes.map((n) => n * unit).filter((n) => n > state.short)].slice(0, 5);

  return (
    <Dialog title={t('pay.title')} onClose={onClose} wide>
      <div className="pay">
        <div className="pay-due">
          <span>{t('pay.due')}</span>
          <strong data-testid="pay-due">{money(total)}</strong>
          {state.short > 0 ? (
            <span className="pay-short">{t('pay.stillToPay', { amount: money(state.short) })}</span>
          ) : (
            state.settlement && (
              <span className="pay-change" data-testid="change-due">
                {t('pay.change', { amount: money(state.settlement.change) })}
              </span>
            )
          )}
          {state.settlement && state.settlement.cashRounding !== 0 && (
            <span className="muted">{t('pay.rounding', { amount: money(state.settlement.cashRounding) })}</span>
          )}
        </div>
        <fieldset className="tender-kinds">
          <legend>{t('pay.method')}</legend>
          {tenderKinds.map((k) => (
            <button key={k} type="button" aria-pressed={kind === k} onClick={() => setKind(k)}>
              {t(`tenders.${k}`)}
            </button>
          ))}
        </fieldset>
        <form
          className="tender-entry"
          onSubmit={(e) => {
            e.preventDefault();
            const list = addTyped();
            if (list) void pay(list);
          }}
        >
          <div className="field">
            <label htmlFor="tender-amount">{t('pay.amount')}</label>
            <input
              id="tender-amount"
              inputMode="decimal"
              autoComplete="off"
              placeholder={(state.short / unit).toFixed(minorDigits(currency))}
              value={amountText}
              onChange={(e) => setAmountText(e.target.value)}
              autoFocus
            />
          </div>
          {kind !== 'cash' && (
            <div className="field">
              <label htmlFor="tender-reference">{t(kind === 'card' ? 'pay.approvalCode' : 'pay.reference')}</label>
              <input id="tender-reference" autoComplete="off" value={reference} onChange={(e) => setReference(e.target.value)} />
            </div>
          )}
          <button type="button" onClick={() => addTyped()} disabled={state.short === 0}>
            {t('pay.addTender')}
          </button>
          {kind === 'cash' && state.short > 0 && (
            <fieldset className="quick-cash">
              <legend className="visually-hidden">{t('pay.quickCash')}</legend>
              {quickCash.map((amount, i) => (
                <button key={amount} type="button" onClick={() => void pay(add({ kind: 'cash', amount }))}>
                  {i === 0 ? t('pay.exact', { amount: money(amount) }) : money(amount)}
                </button>
              ))}
            </fieldset>
          )}
          <button type="submit" className="hidden-submit" tabIndex={-1} aria-hidden="true" />
        </form>
        {tenders.length > 0 && (
          <ul className="tenders" aria-label={t('pay.tenders')}>
            {tenders.map((tender, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: tenders have no id until the sale completes
              <li key={i}>
                <span>{t(`tenders.${tender.kind}`)}</span>
                {tender.reference && <span className="muted">{tender.reference}</span>}
                <span>{money(tender.amount)}</span>
                <button
                  type="button"
                  aria-label={t('pay.removeTender')}
                  onClick={() => setTenders(tenders.filter((_, j) => j !== i))}
                >
                  ✕
                </button>
              </li>
            ))}
          </ul>
        )}
        <ErrorMessage error={inputError ?? state.error ?? storeError} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="button" className="primary big" disabled={!state.settlement || busy} onClick={() => void pay(tenders)}>
            {t('pay.complete')}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
