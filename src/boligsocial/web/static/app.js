// The app's own script: the Content-Security-Policy allows no inline script and no eval (so no
// htmx trigger filters either), and what the pages need beyond htmx is here.

// A <select> marked data-auto-submit sends its form when the choice changes; without JavaScript
// the form's <noscript> button does the same.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.dataset.autoSubmit !== undefined && target.form) {
    target.form.requestSubmit();
  }
});

// A field marked data-input-only sends its form as the user types (its `input` events); the
// `change` it also fires when it loses focus would send the same request again, so it stops here,
// before it reaches the form's htmx trigger.
document.addEventListener(
  "change",
  (event) => {
    if (event.target instanceof HTMLElement && event.target.dataset.inputOnly !== undefined) {
      event.stopPropagation();
    }
  },
  true,
);
