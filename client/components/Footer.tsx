import styles from './Footer.module.css';

export function Footer() {
  return (
    <footer className={styles.footer}>
      <div className={styles.inner}>
        <span>© MicroTick</span>
        <span className="muted">Reserved tickets are held for you while you pay, then released.</span>
      </div>
    </footer>
  );
}
