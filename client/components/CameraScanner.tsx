'use client';

import { useEffect, useRef, useState } from 'react';

/** The part of the Barcode Detection API we use (not yet in TypeScript's DOM types). */
interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: HTMLVideoElement): Promise<DetectedBarcode[]>;
}
type BarcodeDetectorConstructor = new (options: { formats: string[] }) => BarcodeDetectorLike;

const detectorClass = (): BarcodeDetectorConstructor | undefined =>
  (globalThis as { BarcodeDetector?: BarcodeDetectorConstructor }).BarcodeDetector;

const SCAN_INTERVAL_MS = 250;

/**
 * "Scan with camera", where the browser can read QR codes itself (BarcodeDetector: Chrome on
 * Android, and others behind flags). Elsewhere it renders nothing and the code is pasted.
 * Each distinct code is reported once; the camera stops when the scanner is closed.
 */
export function CameraScanner({ onCode }: { onCode: (code: string) => void }) {
  const [supported, setSupported] = useState(false);
  const [scanning, setScanning] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const lastCode = useRef<string | null>(null);
  const report = useRef(onCode);
  report.current = onCode;

  // Decided after hydration, so the server's HTML and the first client render agree.
  useEffect(() => setSupported(detectorClass() !== undefined && Boolean(navigator.mediaDevices?.getUserMedia)), []);

  useEffect(() => {
    const Detector = detectorClass();
    if (!scanning || !Detector) return;
    let stream: MediaStream | undefined;
    let timer: ReturnType<typeof setInterval> | undefined;
    let stopped = false;
    const detector = new Detector({ formats: ['qr_code'] });
    (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
        if (stopped || !video.current) return;
        video.current.srcObject = stream;
        await video.current.play();
        timer = setInterval(async () => {
          if (!video.current || video.current.readyState < 2) return;
          const [found] = await detector.detect(video.current).catch(() => []);
          if (found && found.rawValue !== lastCode.current) {
            lastCode.current = found.rawValue;
            report.current(found.rawValue);
          }
        }, SCAN_INTERVAL_MS);
      } catch {
        setProblem('The camera is not available. Allow camera access, or paste the code instead.');
        setScanning(false);
      }
    })();
    return () => {
      stopped = true;
      if (timer) clearInterval(timer);
      stream?.getTracks().forEach((track) => track.stop());
    };
  }, [scanning]);

  if (!supported) return null;
  return (
    <div>
      <button type="button" className="button button-secondary" onClick={() => setScanning((on) => !on)}>
        {scanning ? 'Stop camera' : 'Scan with camera'}
      </button>
      {scanning ? <video ref={video} muted playsInline style={{ width: '100%', marginTop: 12, borderRadius: 10 }} aria-label="Camera view" /> : null}
      {problem ? <p role="status">{problem}</p> : null}
    </div>
  );
}
