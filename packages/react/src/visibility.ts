import { Observable } from "rxjs";

/**
 * Whether the page is hidden: its state when subscribed, then each change (`visibilitychange`). Without a document
 * (a server render, a worker) it emits nothing; nothing is read before a subscription.
 */
export const pageHidden = new Observable<boolean>((subscriber) => {
  if (typeof document === "undefined") return;
  const emit = () => subscriber.next(document.visibilityState === "hidden");
  emit();
  document.addEventListener("visibilitychange", emit);
  return () => document.removeEventListener("visibilitychange", emit);
});
