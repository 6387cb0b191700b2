import { redirect } from 'next/navigation';
import { AuthForm } from '@/components/AuthForm';
import { safeNextPath } from '@/lib/next-path';
import { getCurrentUserSafely } from '@/lib/server-api';

export const metadata = { title: 'Sign in' };

export default async function SigninPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const next = safeNextPath((await searchParams).next);
  // Already signed in: nothing to do here.
  if (await getCurrentUserSafely()) redirect(next);
  return <AuthForm mode="signin" next={next} />;
}
