/**
 * The scenario editor: form fields for the main settings and the YAML text, kept in sync both ways (a field edits
 * one YAML value, keeping comments; the fields read the YAML). Every change is validated in the Worker with the
 * CLI's parser (parseScenarioText), so an error carries its line, column and field: it is shown beside the field
 * it belongs to and in the list under the YAML. Only a valid scenario reaches the App (and is run).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ScenarioDiagnostic } from '../../scenario/parse.js';
import { type EngineClient, Superseded, WorkerError } from './client.js';
import { type Path, setIn, toData, valueAt } from './scenario-doc.js';

interface Field {
  readonly path: Path;
  readonly label: string;
  readonly kind: 'text' | 'number' | 'checkbox' | 'select';
  readonly options?: readonly string[];
  readonly hint?: string;
}

const FIELDS: readonly Field[] = [
  { path: ['name'], label: 'name', kind: 'text' },
  { path: ['durationMonths'], label: 'duration', kind: 'number', hint: 'months' },
  { path: ['engine'], label: 'engine', kind: 'select', options: ['ode', 'hybrid', 'ssa', 'tau'] },
  { path: ['patient', 'hahnelPatient'], label: 'Hähnel 2020 patient', kind: 'number', hint: '1..21' },
  { path: ['niche', 'exosomes'], label: 'exosome crosstalk on', kind: 'checkbox' },
  { path: ['niche', 'hypoxia'], label: 'hypoxia', kind: 'number', hint: '0 = 20 % O2 .. 1 = 1 % O2' },
  { path: ['therapy', 'schedule', 0, 'drug'], label: 'drug', kind: 'text', hint: 'knowledge-base drug id' },
  { path: ['therapy', 'schedule', 0, 'doseMg'], label: 'dose', kind: 'number', hint: 'mg per dose' },
  {
    path: ['therapy', 'schedule', 0, 'intervalHours'],
    label: 'dosing interval',
    kind: 'number',
    hint: 'hours',
  },
  { path: ['therapy', 'tfr', 'attempt'], label: 'treatment-free remission attempt', kind: 'checkbox' },
  { path: ['monitoring', 'everyMonths'], label: 'RT-qPCR every', kind: 'number', hint: 'months' },
  { path: ['outputs', 'stepMonths'], label: 'output step', kind: 'number', hint: 'months' },
];

/** `therapy.schedule[0].doseMg`: the field-path format of the parser's diagnostics. */
export function formatFieldPath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

const fieldId = (p: Path) => `field-${p.join('-')}`;

export function Editor(props: {
  client: EngineClient;
  scenario: string;
  runDiagnostics: readonly ScenarioDiagnostic[];
  onChange: (text: string) => void;
  onShare: () => Promise<string>;
}) {
  const [draft, setDraft] = useState(props.scenario);
  const [diags, setDiags] = useState<readonly ScenarioDiagnostic[]>([]);
  const [other, setOther] = useState<string | null>(null);
  const [state, setState] = useState<'valid' | 'checking' | 'invalid'>('valid');
  const [link, setLink] = useState('');
  const validate = useRef(props.client.latest<'validate'>()).current;
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const last = useRef(props.scenario);

  // A change made elsewhere (a slider, the map) shows here.
  useEffect(() => {
    if (props.scenario !== last.current) {
      last.current = props.scenario;
      setDraft(props.scenario);
      setDiags([]);
      setState('valid');
    }
  }, [props.scenario]);

  const check = (text: string, delay: number) => {
    setDraft(text);
    setState('checking');
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      validate({ kind: 'validate', scenario: text }).then(
        () => {
          setDiags([]);
          setOther(null);
          setState('valid');
          last.current = text;
          props.onChange(text);
        },
        (e: unknown) => {
          if (e instanceof Superseded) return;
          setState('invalid');
          if (e instanceof WorkerError && e.diagnostics.length > 0) {
            setDiags(e.diagnostics);
            setOther(null);
          } else {
            setDiags([]);
            setOther(e instanceof Error ? e.message : String(e));
          }
        },
      );
    }, delay);
  };

  const setField = (f: Field, raw: string | boolean) => {
    let value: unknown = raw;
    if (f.kind === 'number' && typeof raw === 'string') {
      const n = Number(raw);
      // A non-number stays text in the YAML so that the parser reports it at the field.
      value = raw.trim() === '' ? undefined : Number.isFinite(n) ? n : raw;
    }
    try {
      check(setIn(draft, f.path, value), 250);
    } catch (e) {
      setOther(e instanceof Error ? e.message : String(e));
      setState('invalid');
    }
  };

  const data = useMemo(() => toData(draft), [draft]);
  const allDiags = diags.length > 0 ? diags : props.runDiagnostics;
  const errorsOf = (p: Path) => {
    const key = formatFieldPath(p);
    return allDiags.filter(
      (d) => d.path === key || d.path.startsWith(`${key}.`) || d.path.startsWith(`${key}[`),
    );
  };

  return (
    <div class="editor">
      <form class="fields" aria-label="Scenario settings" onSubmit={(e) => e.preventDefault()}>
        {FIELDS.map((f) => {
          const v = valueAt(data, f.path);
          const id = fieldId(f.path);
          const errs = errorsOf(f.path);
          const described = errs.length ? `${id}-error` : f.hint ? `${id}-hint` : undefined;
          return (
            <div class={`field${errs.length ? ' invalid' : ''}`} key={id}>
              <label for={id}>{f.label}</label>
              {f.kind === 'checkbox' ? (
                <input
                  id={id}
                  type="checkbox"
                  checked={v !== false}
                  aria-describedby={described}
                  onChange={(e) => setField(f, (e.target as HTMLInputElement).checked)}
                />
              ) : f.kind === 'select' ? (
                <select
                  id={id}
                  value={typeof v === 'string' ? v : (f.options?.[0] ?? '')}
                  aria-describedby={described}
                  onChange={(e) => setField(f, (e.target as HTMLSelectElement).value)}
                >
                  {f.options?.map((o) => (
                    <option key={o} value={o}>
                      {o}
                    </option>
                  ))}
                </select>
              ) : (
                <input
                  id={id}
                  type="text"
                  inputMode={f.kind === 'number' ? 'decimal' : undefined}
                  value={v === undefined || v === null ? '' : String(v)}
                  aria-invalid={errs.length > 0}
                  aria-describedby={described}
                  onInput={(e) => setField(f, (e.target as HTMLInputElement).value)}
                />
              )}
              {f.hint ? (
                <span class="hint" id={`${id}-hint`}>
                  {f.hint}
                </span>
              ) : null}
              {errs.length ? (
                <span class="field-error" id={`${id}-error`} role="alert">
                  {errs.map((d) => `line ${d.line}: ${d.message}`).join('; ')}
                </span>
              ) : null}
            </div>
          );
        })}
      </form>
      <div class="yaml">
        <label for="yaml-text">Scenario YAML</label>
        <textarea
          id="yaml-text"
          spellcheck={false}
          rows={30}
          value={draft}
          aria-invalid={state === 'invalid'}
          aria-describedby="yaml-errors"
          onInput={(e) => check((e.target as HTMLTextAreaElement).value, 400)}
        />
        <div id="yaml-errors" aria-live="polite">
          {state === 'checking' ? <p>checking…</p> : null}
          {state === 'valid' ? <p class="ok">valid: this is the scenario the other views run</p> : null}
          {other ? <p class="error">{other}</p> : null}
          {allDiags.length > 0 ? (
            <ul class="diagnostics">
              {allDiags.map((d) => (
                <li key={`${d.line}:${d.column}:${d.path}:${d.message}`} class="error">
                  line {d.line}, column {d.column}
                  {d.path ? ` (${d.path})` : ''}: {d.message}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
        <div class="share">
          <button
            type="button"
            onClick={async () => {
              const url = await props.onShare();
              setLink(url);
              try {
                await navigator.clipboard.writeText(url);
              } catch {
                // No clipboard permission (e.g. headless): the link is shown to copy by hand.
              }
            }}
          >
            Make a shareable link
          </button>
          <label for="share-link">link to this scenario</label>
          <input id="share-link" type="text" readOnly value={link} data-testid="share-link" />
        </div>
      </div>
    </div>
  );
}
