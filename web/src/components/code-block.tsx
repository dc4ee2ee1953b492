import { useState } from 'preact/hooks';

/**
 * A snippet to copy: focusable so keyboard users can scroll it, with a copy button where the
 * browser offers a clipboard (not on plain-http origins other than localhost).
 */
export function CodeBlock({ code, label }: { code: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const canCopy = typeof navigator.clipboard?.writeText === 'function' && window.isSecureContext;
  const copy = (): void => {
    navigator.clipboard.writeText(code).then(() => setCopied(true), () => setCopied(false));
  };
  return (
    <div class="code-block">
      <pre tabIndex={0} aria-label={label}><code>{code}</code></pre>
      {canCopy && (
        <button type="button" class="button-small" onClick={copy} aria-label={`Copy: ${label}`}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      )}
    </div>
  );
}
