// Refreshes each element marked data-refresh="<seconds>": fetches this page again and puts in the
// element's new content, until the fresh page no longer marks it (a finished job). No inline script,
// nothing from another host: the Content-Security-Policy allows this file alone.
"use strict";
for (const element of document.querySelectorAll("[data-refresh][id]")) {
  const every = Math.max(1, Number(element.dataset.refresh)) * 1000;
  const url = new URL(window.location.href);
  url.searchParams.delete("handler"); // after a form's POST, read the page, never repeat the action
  const tick = async () => {
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (response.ok) {
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = page.getElementById(element.id);
        if (fresh) {
          element.innerHTML = fresh.innerHTML;
          if (!fresh.hasAttribute("data-refresh")) {
            element.removeAttribute("data-refresh");
            return;
          }
        }
      }
    } catch {
      // offline for a moment: try again at the next tick
    }
    window.setTimeout(tick, every);
  };
  window.setTimeout(tick, every);
}
