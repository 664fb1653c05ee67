// roster console: small enhancements over plain forms and links (every page works without them).
"use strict";

// A form with data-confirm asks before it is sent.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// A checkbox with data-select-all="name" checks or clears every checkbox of that name.
document.addEventListener("change", (event) => {
  const box = event.target;
  if (box instanceof HTMLInputElement && box.dataset.selectAll) {
    for (const other of document.querySelectorAll(`input[type=checkbox][name="${box.dataset.selectAll}"]`)) {
      other.checked = box.checked;
    }
  }
});

// An element with an id and data-refresh="seconds" is replaced by its fresh copy from the same
// page until the fresh copy no longer asks to be refreshed (a job's progress, say).
function follow(element) {
  const seconds = Number(element.dataset.refresh) || 1;
  window.setTimeout(async () => {
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin" });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById(element.id);
      if (!fresh) return;
      element.replaceWith(fresh);
      if (fresh.dataset.refresh) follow(fresh);
    } catch (_) {
      follow(element);
    }
  }, seconds * 1000);
}
for (const element of document.querySelectorAll("[data-refresh][id]")) follow(element);
