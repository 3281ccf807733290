import type { ApiError } from '../../../shared/errors.ts';
import { useMoney } from '../format.ts';
import { errorText } from '../i18n/index.ts';

/** A store error in the chosen language, announced to screen readers. */
export function ErrorMessage({ error }: { error: ApiError | null }) {
  const money = useMoney();
  if (!error) return null;
  return (
    <p role="alert" className="error" data-reason={error.reason}>
      {errorText(error, money)}
    </p>
  );
}
