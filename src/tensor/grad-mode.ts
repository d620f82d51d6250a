/** Global switch for recording the autograd tape (`noGrad` for inference and optimizer updates). */

let enabled = true;

/** True while ops record the tape. */
export function isGradEnabled(): boolean {
  return enabled;
}

/** Runs `fn` without recording the tape; restores the previous mode even when `fn` throws. */
export function noGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}
