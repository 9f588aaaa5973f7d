/**
 * Tabs after the WAI-ARIA Authoring Practices tabs pattern: a tablist of buttons (role tab, aria-selected,
 * aria-controls), arrow keys / Home / End move between tabs and select them, only the selected tab is in the tab
 * order, each panel is a tabpanel labelled by its tab.
 */
import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';

export interface TabDef {
  readonly id: string;
  readonly label: string;
}

export function Tabs(props: {
  tabs: readonly TabDef[];
  selected: string;
  onSelect: (id: string) => void;
  label: string;
  children: (id: string) => ComponentChildren;
}) {
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const { tabs, selected, onSelect } = props;
  const onKey = (e: KeyboardEvent) => {
    const i = tabs.findIndex((t) => t.id === selected);
    const to =
      e.key === 'ArrowRight'
        ? (i + 1) % tabs.length
        : e.key === 'ArrowLeft'
          ? (i - 1 + tabs.length) % tabs.length
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? tabs.length - 1
              : -1;
    if (to < 0) return;
    e.preventDefault();
    onSelect(tabs[to].id);
    refs.current[tabs[to].id]?.focus();
  };
  return (
    <>
      <div role="tablist" aria-label={props.label} class="tablist" onKeyDown={onKey}>
        {tabs.map((t) => (
          <button
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            key={t.id}
            ref={(el) => {
              refs.current[t.id] = el;
            }}
            aria-selected={t.id === selected}
            aria-controls={`panel-${t.id}`}
            tabIndex={t.id === selected ? 0 : -1}
            onClick={() => onSelect(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      {tabs.map((t) => (
        <section
          role="tabpanel"
          id={`panel-${t.id}`}
          key={t.id}
          aria-labelledby={`tab-${t.id}`}
          hidden={t.id !== selected}
          class="panel"
        >
          {t.id === selected ? props.children(t.id) : null}
        </section>
      ))}
    </>
  );
}
