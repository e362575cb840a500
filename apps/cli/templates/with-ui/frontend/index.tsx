// The module's UI. The platform loads the built bundle, takes window.ModuleUI and renders it with
// { onExecute, initialParams }; onExecute runs the module with the given input.
import { useState } from 'react';

interface Props {
  onExecute?: (input: { peptides: string[] }) => Promise<unknown>;
  initialParams?: { peptides?: string[] };
}

export default function ModuleUI({ onExecute, initialParams }: Props) {
  const [text, setText] = useState((initialParams?.peptides ?? []).join('\n'));
  const [result, setResult] = useState<unknown>(null);
  const run = async () => {
    const peptides = text.split(/\s+/).filter(Boolean);
    setResult(await onExecute?.({ peptides }));
  };
  return (
    <div>
      <textarea value={text} onChange={(event) => setText(event.target.value)} rows={8} />
      <button type="button" onClick={run}>
        Run
      </button>
      <pre>{result === null ? '' : JSON.stringify(result, null, 2)}</pre>
    </div>
  );
}

(window as unknown as { ModuleUI: typeof ModuleUI }).ModuleUI = ModuleUI;
