/** A labelled text input bound to a string state (the study forms' counts and seeds). */
import type { JSX } from 'preact';

export interface TextFieldProps {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly onValue: (value: string) => void;
  /** Shows a numeric keypad on touch devices; the value stays text and is checked where it is used. */
  readonly numeric?: boolean;
  readonly style?: JSX.CSSProperties;
}

export function TextField({ id, label, value, onValue, numeric, style }: TextFieldProps) {
  return (
    <>
      <label for={id}>{label}</label>
      <input
        id={id}
        type="text"
        {...(numeric ? { inputMode: 'numeric' as const } : {})}
        {...(style ? { style } : {})}
        value={value}
        onInput={(e) => onValue((e.target as HTMLInputElement).value)}
      />
    </>
  );
}
