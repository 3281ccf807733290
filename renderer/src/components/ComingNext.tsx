import { useTranslation } from 'react-i18next';

/** A screen whose capability lands in a later issue says what it will do. */
export function ComingNext({ screen }: { screen: 'till' | 'stock' | 'stocktakes' | 'orders' | 'customers' | 'reports' }) {
  const { t } = useTranslation();
  return (
    <section className="screen" aria-labelledby={`${screen}-title`}>
      <h1 id={`${screen}-title`}>{t(`screens.${screen}.title`)}</h1>
      <p className="coming">
        <span className="badge">{t('comingSoon')}</span> {t(`screens.${screen}.coming`)}
      </p>
    </section>
  );
}
