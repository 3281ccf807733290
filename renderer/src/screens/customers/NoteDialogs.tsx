import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type NoteCategory, noteCategories, type SupportNote } from '../../../../shared/customer.ts';
import type { ApiError } from '../../../../shared/errors.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { call } from '../../session.ts';

/** Opens a support note about a customer, an order, or both. */
export function NoteDialog({
  customerId,
  orderId,
  about,
  onClose,
  onOpened,
}: {
  customerId?: string | null;
  orderId?: string | null;
  /** Who or what the note is about, for the title: a name or an order number. */
  about: string;
  onClose: () => void;
  onOpened: (note: SupportNote) => void;
}) {
  const { t } = useTranslation();
  const bodyId = useId();
  const [category, setCategory] = useState<NoteCategory>('question');
  const [body, setBody] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit() {
    setBusy(true);
    const result = await call('note.open', {
      category,
      body,
      ...(customerId ? { customerId } : {}),
      ...(orderId ? { orderId } : {}),
    });
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    onOpened(result.value);
  }

  return (
    <Dialog title={t('notes.openTitle', { about })} onClose={onClose}>
      <form
        className="note-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <fieldset className="segmented">
          <legend>{t('notes.category')}</legend>
          {noteCategories.map((c) => (
            <button key={c} type="button" aria-pressed={c === category} onClick={() => setCategory(c)}>
              {t(`notes.categories.${c}`)}
            </button>
          ))}
        </fieldset>
        <label htmlFor={bodyId}>{t('notes.body')}</label>
        <textarea id={bodyId} rows={5} maxLength={2000} value={body} onChange={(e) => setBody(e.target.value)} required />
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy || !body.trim()}>
            {t('notes.open')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Resolves an open note: what was done, in a sentence or two. */
export function ResolveDialog({
  note,
  onClose,
  onResolved,
}: {
  note: SupportNote;
  onClose: () => void;
  onResolved: (note: SupportNote) => void;
}) {
  const { t } = useTranslation();
  const resolutionId = useId();
  const [resolution, setResolution] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit() {
    setBusy(true);
    const result = await call('note.resolve', { id: note.id, resolution });
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    onResolved(result.value);
  }

  return (
    <Dialog title={t('notes.resolveTitle')} onClose={onClose}>
      <blockquote className="note-quote">{note.body}</blockquote>
      <form
        className="note-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label htmlFor={resolutionId}>{t('notes.resolution')}</label>
        <textarea
          id={resolutionId}
          rows={4}
          maxLength={2000}
          value={resolution}
          onChange={(e) => setResolution(e.target.value)}
          required
        />
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy || !resolution.trim()}>
            {t('notes.resolve')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
