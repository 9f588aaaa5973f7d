/**
 * The worker side of the two-thread engines' start signal (mechanics-worker.ts, field-worker.ts): the calling thread
 * stores a new sequence number in a shared go word, then notifies.
 */

/**
 * Blocks until control[index] differs from `last` (the step this thread did last) and returns the new value. It waits
 * for the word, never for a wake-up alone: a notify can come late (the calling thread descheduled between its store
 * and its notify, so this thread saw the word, did the step and waits again), and a wake-up taken as a new step
 * would do that step twice.
 */
export function awaitGoWord(control: Int32Array, index: number, last: number): number {
  let go = Atomics.load(control, index);
  while (go === last) {
    Atomics.wait(control, index, last);
    go = Atomics.load(control, index);
  }
  return go;
}
