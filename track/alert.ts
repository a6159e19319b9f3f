// The call's sound and vibration on the phone: a two-note chime made with
// WebAudio (no clip to download) and navigator.vibrate. Browsers start audio
// only after a tap, so the page unlocks it on the citizen's first touch.
let ctx: AudioContext | null = null;

/** For the e2e test: how many chimes and vibrations the page has played. */
export const alertTrace = { chimes: 0, vibrations: 0, audio: 'none' as string };

function context(): AudioContext | null {
  if (!ctx && typeof AudioContext !== 'undefined') ctx = new AudioContext();
  return ctx;
}

/** Called from the first pointerdown/keydown: lets later chimes sound. */
export function unlockAudio(): void {
  const c = context();
  if (c && c.state === 'suspended') void c.resume().then(() => (alertTrace.audio = c.state));
  if (c) alertTrace.audio = c.state;
}

export function chime(times = 2): void {
  alertTrace.chimes++;
  const c = context();
  if (!c) return;
  if (c.state === 'suspended') void c.resume().catch(() => undefined);
  const start = c.currentTime + 0.05;
  for (let r = 0; r < times; r++) {
    [880, 660].forEach((freq, i) => {
      const t = start + r * 0.9 + i * 0.35;
      const osc = c.createOscillator();
      const gain = c.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.6, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.6);
      osc.connect(gain).connect(c.destination);
      osc.start(t);
      osc.stop(t + 0.65);
    });
  }
}

export function vibrate(pattern: number[]): void {
  alertTrace.vibrations++;
  try {
    navigator.vibrate?.(pattern);
  } catch {
    /* not on this device */
  }
}
