import { type RefObject, useEffect, useRef } from "react";

type Target = RefObject<HTMLElement | null> | undefined;

/**
 * Keeps the keyboard focus where a button's own action takes the button away (Stop watching, Stop following, Watch
 * again, Try again: each goes as the run changes), where it would drop to the page's body and the next Tab start from
 * the top. `handOff(...targets)`, called by the action, moves it once the change is shown (the component rendered
 * again, the button gone, the focus lost) to the first of `targets` then on the page: the control of the user's next
 * step, as WAI-ARIA's practices ask of a control that goes away with the focus in it. A button that stays keeps it.
 */
export function useFocusHandOff(): (...targets: Target[]) => void {
  const wanted = useRef<{ from: Element | null; targets: Target[] }>(undefined);
  useEffect(() => {
    const want = wanted.current;
    const at = document.activeElement;
    if (!want || (at === want.from && at?.isConnected)) return;
    wanted.current = undefined;
    if (!at || at === document.body) want.targets.find((target) => target?.current?.isConnected)?.current?.focus();
  });
  return (...targets) => {
    wanted.current = { from: document.activeElement, targets };
  };
}

/**
 * The focus in `control` (a stop button) when it goes unpressed (its run ended, or a watch of it stopped early) goes to
 * the first of `targets` then on the page, rather than to the page's body. An error that took it is left with it.
 */
export function useFocusKept(control: RefObject<HTMLElement | null>, ...targets: Target[]): void {
  const had = useRef(false);
  useEffect(() => {
    const at = document.activeElement;
    if (had.current && !control.current?.isConnected && (!at || at === document.body))
      targets.find((target) => target?.current?.isConnected)?.current?.focus();
    had.current = !!control.current && at === control.current;
  });
}

/** The controls of a run's view that take the focus in turn: its stop button (elsewhere), Watch/Try again, its status. */
export const useRunControls = () => ({
  stop: useRef<HTMLButtonElement>(null),
  again: useRef<HTMLButtonElement>(null),
  status: useRef<HTMLOutputElement>(null),
});
export type RunControls = ReturnType<typeof useRunControls>;
