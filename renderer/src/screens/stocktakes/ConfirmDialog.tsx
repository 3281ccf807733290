import { type ReactNode, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../../components/Dialog.tsx';

/** Are you sure? For the steps that cannot be undone (apply, cancel). */
export function ConfirmDialog({
  title,
  confirm,
  danger,
  onConfirm,
  onClose,
  children,
}: {
  title: string;
  confirm: string;
  danger?: boolean;
  onConfirm: () => void;
  onClose: () => void;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const confirmButton = useRef<HTMLButtonElement>(null);
  // After showModal() has put focus on the first button: Enter confirms, Escape goes back.
  useEffect(() => {
    const frame = requestAnimationFrame(() => confirmButton.current?.focus());
    return () => cancelAnimationFrame(frame);
  }, []);
  return (
    <Dialog title={title} onClose={onClose}>
      {children}
      <div className="actions">
        <button type="button" onClick={onClose}>
          {t('common.back')}
        </button>
        <button ref={confirmButton} type="button" className={danger ? 'danger big' : 'primary big'} onClick={onConfirm}>
          {confirm}
        </button>
      </div>
    </Dialog>
  );
}
