import Link from 'next/link';
import { StatusPanel } from '@/components/StatusPanel';

export const metadata = { title: 'Not found' };

export default function NotFound() {
  return (
    <StatusPanel
      tone="neutral"
      title="We couldn’t find that page"
      testId="not-found"
      actions={
        <Link href="/" className="button">
          Browse tickets
        </Link>
      }
    >
      <p>The ticket or order may have been removed, or the link is mistyped.</p>
    </StatusPanel>
  );
}
