import { useTranslation } from 'react-i18next';
import type { SupportNote } from '../../../../shared/customer.ts';
import { useDateTime } from '../orders/use-date-time.ts';

/** One support note: what, about whom, who wrote it when, and how it was resolved. */
export function NoteCard({
  note,
  onResolve,
  onOpenOrder,
  onOpenCustomer,
}: {
  note: SupportNote;
  onResolve?: (note: SupportNote) => void;
  onOpenOrder?: (orderId: string) => void;
  onOpenCustomer?: (customerId: string) => void;
}) {
  const { t } = useTranslation();
  const { dateTime } = useDateTime();
  return (
    <article className={`note-card note-${note.status}`} aria-label={t(`notes.categories.${note.category}`)}>
      <header className="note-head">
        <span className={`note-category cat-${note.category}`}>{t(`notes.categories.${note.category}`)}</span>
        <span className={`state note-state-${note.status}`}>{t(`notes.statuses.${note.status}`)}</span>
        {note.customerName &&
          (onOpenCustomer && note.customerId ? (
            <button type="button" className="link" onClick={() => onOpenCustomer(note.customerId ?? '')}>
              {note.customerName}
            </button>
          ) : (
            <span>{note.customerName}</span>
          ))}
        {note.orderNumber &&
          (onOpenOrder && note.orderId ? (
            <button type="button" className="link" onClick={() => onOpenOrder(note.orderId ?? '')}>
              {t('notes.order', { number: note.orderNumber })}
            </button>
          ) : (
            <span>{t('notes.order', { number: note.orderNumber })}</span>
          ))}
      </header>
      <p className="note-body">{note.body}</p>
      <p className="muted note-meta">{t('notes.openedBy', { name: note.author.name, at: dateTime(note.createdAt) })}</p>
      {note.status === 'resolved' ? (
        <div className="note-resolution">
          <p>{note.resolution}</p>
          <p className="muted note-meta">
            {t('notes.resolvedBy', { name: note.resolvedBy?.name ?? '', at: note.resolvedAt ? dateTime(note.resolvedAt) : '' })}
          </p>
        </div>
      ) : (
        onResolve && (
          <button type="button" onClick={() => onResolve(note)}>
            {t('notes.resolve')}
          </button>
        )
      )}
    </article>
  );
}
